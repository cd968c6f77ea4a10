import type { StepPlan } from '../plan/index.js';
import type { Guest } from './guest.js';
import type { StepOutput } from './step-failure.js';

/** What a step kind gets for one VM. */
export interface StepContext {
  guest: Guest;
  step: StepPlan;
  /** Aborts when the step times out or the run is interrupted. */
  signal: AbortSignal;
  /** Milliseconds left of the step's timeout. */
  remaining(): number;
  progress(detail: string): void;
}

/** A passed step: what it verified, and what its command printed. */
export interface StepOutcome {
  detail?: string;
  output?: StepOutput;
}

/** Runs one kind of step on one VM; throws (a StepFailure for a failed check) when it fails. */
export type StepExecutor = (ctx: StepContext) => Promise<StepOutcome>;
