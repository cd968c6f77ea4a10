import type { StepKind } from '../plan/index.js';
import type { StepOutput } from './step-failure.js';

export type StepStatus = 'passed' | 'failed' | 'skipped';

/** One step on one VM: what reports show (a JUnit testcase each). */
export interface StepResult {
  step: number;
  name: string;
  kind: StepKind;
  vm: string;
  status: StepStatus;
  durationMs: number;
  /** Passed: what was verified. Skipped: why. */
  detail?: string;
  output?: StepOutput;
  failure?: { message: string; hint?: string; consoleTail: string[] };
}

export interface RunTotals {
  passed: number;
  failed: number;
  skipped: number;
}

/** The whole run, as `atomlab run --json` prints it. */
export interface RunReport {
  lab: string;
  scenario: string;
  startedAt: string;
  durationMs: number;
  totals: RunTotals;
  results: StepResult[];
}

/** What the runner tells views while it works. */
export type StepEvent =
  | { kind: 'step-start'; step: number; name: string; vms: string[] }
  | { kind: 'step-progress'; step: number; vm: string; detail: string }
  | { kind: 'step-result'; result: StepResult }
  | { kind: 'step-end'; step: number; failed: boolean };

export type StepEventSink = (event: StepEvent) => void;

export function totals(results: StepResult[]): RunTotals {
  const count = (status: StepStatus) => results.filter((r) => r.status === status).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}
