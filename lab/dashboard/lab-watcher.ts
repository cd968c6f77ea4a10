import { EventEmitter } from 'node:events';
import { consoleLines, readLab, type LabRef, type LabView, type VmView } from './lab-actions.js';

/** Console lines kept per VM (what a new page sees first). */
export const CONSOLE_LINES = 40;

export interface WatchedLab extends Omit<LabView, 'vms'> {
  vms: (Omit<VmView, 'ref'> & { crashed?: boolean })[];
}

/** Terminal escapes and control characters out of a console line, so the page shows text. */
function plainText(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

/**
 * A VM that `up` verified but whose provider now says stopped or missing, with no atomlab
 * command working on it, was stopped outside atomlab (killed, or it died): shown as crashed.
 */
function withCrashes(view: LabView): WatchedLab {
  const busy = view.progress && !view.progress.outcome;
  const vms = view.vms.map(({ ref, ...vm }) => {
    const gone = (vm.state === 'stopped' || vm.state === 'missing') && ref !== undefined && vm.login.methods.length > 0 && !busy;
    return gone || vm.state === 'crashed' ? { ...vm, state: 'crashed' as const, crashed: true } : vm;
  });
  return { ...view, vms };
}

interface Follower {
  key: string;
  controller: AbortController;
  lines: string[];
}

/**
 * Follows a lab another atomlab process changes: re-reads its state, progress and provider
 * state every interval, emits `lab` when anything changed and `console` with new lines.
 */
export class LabWatcher extends EventEmitter {
  current: WatchedLab | undefined;
  private text = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly followers = new Map<string, Follower>();
  private stopped = false;

  constructor(
    private readonly lab: LabRef,
    private readonly intervalMs = 1000,
  ) {
    super();
  }

  async start(): Promise<void> {
    await this.tick();
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tick(), this.intervalMs);
  }

  private async tick(): Promise<void> {
    try {
      const raw = await readLab(this.lab);
      this.follow(raw.vms);
      this.publish(withCrashes(raw));
    } catch (error) {
      this.publish({ lab: '', scenario: this.lab.file, vms: [], error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (!this.stopped) this.schedule();
    }
  }

  private publish(view: WatchedLab): void {
    const text = JSON.stringify(view);
    if (text === this.text) return;
    this.text = text;
    this.current = view;
    this.emit('lab', view);
  }

  /** A console follower per running VM (a new one when the VM was made anew). */
  private follow(vms: VmView[]): void {
    for (const vm of vms) {
      const key = vm.ref && vm.state === 'running' ? JSON.stringify(vm.ref.data) : undefined;
      const known = this.followers.get(vm.id);
      if (!key || known?.key === key) continue;
      known?.controller.abort();
      const follower: Follower = { key, controller: new AbortController(), lines: known?.lines ?? [] };
      this.followers.set(vm.id, follower);
      void this.consume(vm.id, follower);
    }
  }

  private async consume(id: string, follower: Follower): Promise<void> {
    try {
      for await (const raw of consoleLines(this.lab, id, follower.controller.signal)) {
        const line = plainText(raw);
        follower.lines.push(line);
        if (follower.lines.length > CONSOLE_LINES) follower.lines.shift();
        this.emit('console', { vm: id, lines: [line] });
      }
    } catch {
      // the VM went away or was made anew: the next tick follows it again (its lines stay)
    }
  }

  /** The last lines of every followed console. */
  consoles(): Record<string, string[]> {
    return Object.fromEntries([...this.followers].map(([id, f]) => [id, [...f.lines]]));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const follower of this.followers.values()) follower.controller.abort();
  }
}
