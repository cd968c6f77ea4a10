import type { VmPhase } from '../engine/index.js';
import type { RunReport, StepResult } from '../steps/index.js';

/** One VM as the running command last told it. */
export interface VmProgress {
  phase: VmPhase;
  detail?: string;
  at: string;
}

/** A step of the run, as it is announced. */
export interface StepProgress {
  step: number;
  name: string;
  vms: string[];
  state: 'running' | 'passed' | 'failed' | 'skipped';
  /** The last progress line per VM while it runs. */
  doing: Record<string, string>;
}

/**
 * What the last `up` or `run` of a scenario did and is doing, in `.atomlab/progress.json`:
 * written as it goes, so another process (the dashboard) can follow it.
 */
export interface LabProgress {
  version: 1;
  command: 'up' | 'run';
  pid: number;
  startedAt: string;
  finishedAt?: string;
  /**
   * done: finished (see failures); interrupted: Ctrl-C. Absent while it runs. `killed` is never
   * written: a reader says it of a record without an outcome whose process is gone (SIGKILL, crash).
   */
  outcome?: 'passed' | 'failed' | 'interrupted' | 'killed';
  /** By VM name (`<combination>/<vm>` in a matrix). */
  vms: Record<string, VmProgress>;
  steps: StepProgress[];
  results: StepResult[];
  /** The whole run report, once the run ended. */
  report?: RunReport;
  /** Reports the run wrote, by kind (absolute paths). */
  reports: { junit?: string; html?: string };
}
