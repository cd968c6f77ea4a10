import type { ListrTaskWrapper } from 'listr2';
import { runOnStderr } from './stderr-listr.js';
import type { StepPlan } from '../plan/index.js';
import type { StepEvent, StepEventSink, StepResult } from '../steps/index.js';

interface Slot {
  task?: ListrTaskWrapper<unknown, never, never>;
  done?: (outcome: 'passed' | 'skipped' | Error) => void;
  pending: StepEvent[];
  results: StepResult[];
}

/**
 * The terminal view of `atomlab run`: one listr2 line per step on stderr, its VMs' progress
 * beneath it. Plain lines when stderr is not a terminal (CI logs).
 */
export class StepView {
  private readonly slots = new Map<number, Slot>();
  private listr: Promise<unknown> | undefined;

  constructor(private readonly steps: StepPlan[]) {
    for (const step of steps) this.slots.set(step.index, { pending: [], results: [] });
  }

  readonly sink: StepEventSink = (event) => {
    const slot = this.slots.get(event.kind === 'step-result' ? event.result.step : event.step);
    if (!slot) return;
    if (!slot.task) slot.pending.push(event);
    else this.apply(slot, event);
  };

  private apply(slot: Slot, event: StepEvent): void {
    if (!slot.task) return;
    if (event.kind === 'step-progress') slot.task.output = `${event.vm}: ${event.detail}`;
    else if (event.kind === 'step-result') {
      slot.results.push(event.result);
      const r = event.result;
      slot.task.output = `${r.vm}: ${r.status}${r.status === 'failed' ? ` — ${r.failure?.message ?? ''}` : r.detail ? ` — ${r.detail}` : ''}`;
    } else if (event.kind === 'step-end') slot.done?.(this.outcome(slot));
  }

  private outcome(slot: Slot): 'passed' | 'skipped' | Error {
    const failed = slot.results.filter((r) => r.status === 'failed');
    if (failed.length > 0) return new Error(failed.map((r) => `${r.vm}: ${r.failure?.message ?? 'failed'}`).join('; '));
    return slot.results.every((r) => r.status === 'skipped') ? 'skipped' : 'passed';
  }

  start(): void {
    const tasks = this.steps.map((step) => ({
      title: `${step.index}. ${step.name} [${step.vms.join(', ')}]`,
      task: (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) =>
        new Promise<void>((resolve, reject) => {
          const slot = this.slots.get(step.index)!;
          slot.task = task;
          slot.done = (outcome) => {
            if (outcome instanceof Error) reject(outcome);
            else {
              if (outcome === 'skipped') task.skip('skipped');
              resolve();
            }
          };
          for (const event of slot.pending.splice(0)) this.apply(slot, event);
        }),
    }));
    this.listr = runOnStderr(tasks, { concurrent: false });
  }

  /** Settles steps the runner never reached (an interrupt) and waits for the renderer. */
  async finish(): Promise<void> {
    for (const slot of this.slots.values()) slot.done?.('skipped');
    await this.listr;
  }
}
