import type { ListrTaskWrapper } from 'listr2';
import { runOnStderr } from './stderr-listr.js';
import type { EventSink, LabEvent } from '../engine/index.js';

interface Slot {
  task?: ListrTaskWrapper<unknown, never, never>;
  done?: (error?: Error) => void;
  pending: LabEvent[];
  /** The engine said something about this VM. */
  touched?: boolean;
}

const FINAL = new Set(['verified', 'unchanged', 'changed', 'failed', 'removed']);

/**
 * The terminal view of a lab command: one listr2 line per VM on stderr, fed by engine events.
 * Falls back to plain lines when stderr is not a terminal (CI logs).
 */
export class LabView {
  private readonly slots = new Map<string, Slot>();
  private readonly warnings: string[] = [];
  private listr: Promise<unknown> | undefined;

  constructor(private readonly vms: string[], private readonly verb: string) {
    for (const vm of vms) this.slots.set(vm, { pending: [] });
  }

  readonly sink: EventSink = (event) => {
    if (event.kind === 'warning') {
      this.warnings.push(event.vm ? `${event.vm}: ${event.message}` : event.message);
      process.stderr.write(`warning: ${event.vm ? `${event.vm}: ` : ''}${event.message}\n`);
      return;
    }
    if (event.kind === 'held') return;
    const slot = this.slots.get(event.vm);
    if (!slot) return;
    slot.touched = true;
    if (!slot.task) slot.pending.push(event);
    else this.apply(event.vm, slot, event);
  };

  private apply(vm: string, slot: Slot, event: LabEvent): void {
    if (event.kind === 'warning' || event.kind === 'held' || !slot.task) return;
    if (event.kind === 'progress') {
      slot.task.output = `${vm}: ${event.detail}`;
      return;
    }
    const line = `${vm}: ${event.phase}${event.detail ? ` (${event.detail})` : ''}`;
    slot.task.title = line;
    if (!process.stderr.isTTY) slot.task.output = line; // plain logs show every phase, not just the last title
    if (!FINAL.has(event.phase)) return;
    slot.done?.(event.phase === 'failed' ? new Error(`${vm}: ${event.detail ?? 'failed'}`) : undefined);
  }

  start(): void {
    const tasks = this.vms.map((vm) => ({
      title: `${vm}: ${this.verb}`,
      task: (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) =>
        new Promise<void>((resolve, reject) => {
          const slot = this.slots.get(vm)!;
          slot.task = task;
          slot.done = (error) => (error ? reject(error) : resolve());
          for (const event of slot.pending.splice(0)) this.apply(vm, slot, event);
        }),
    }));
    this.listr = runOnStderr(tasks, { concurrent: true });
  }

  /** Settles every line still open (a VM the engine never reached) and waits for the renderer. */
  async finish(): Promise<void> {
    // a settled line ignores this; one the engine began and never finished shows as failed
    for (const [vm, slot] of this.slots) {
      if (slot.touched) slot.done?.(new Error(`${vm}: not finished`));
      else {
        slot.task?.skip(`${vm}: not started`);
        slot.done?.();
      }
    }
    await this.listr;
  }
}
