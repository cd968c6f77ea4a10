import type { StepKind } from '../plan/index.js';
import { consoleExpectStep } from './console-expect-step.js';
import { copyStep } from './copy-step.js';
import { rebootStep, resetStep } from './reboot-step.js';
import { rollbackStep } from './rollback-step.js';
import { runStep } from './run-step.js';
import { revertStep, snapshotStep } from './snapshot-step.js';
import type { StepExecutor } from './step-context.js';
import { upgradeStep } from './upgrade-step.js';
import { waitPortStep } from './wait-port-step.js';

/** One executor per step kind. */
export const EXECUTORS: Record<StepKind, StepExecutor> = {
  run: runStep,
  reboot: rebootStep,
  upgrade: upgradeStep,
  rollback: rollbackStep,
  reset: resetStep,
  snapshot: snapshotStep,
  revert: revertStep,
  copy: copyStep,
  'wait-port': waitPortStep,
  'console-expect': consoleExpectStep,
};
