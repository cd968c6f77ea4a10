import type { PullProgress } from './image-source.js';

const WINDOW_MS = 3000;
const REPORT_EVERY_MS = 250;

/** Turns byte counts into throttled progress reports with a moving-window rate and an ETA. */
export class ProgressMeter {
  private bytes = 0;
  private total: number | undefined;
  private resumed = false;
  private samples: Array<[number, number]> = [];
  private lastReport = 0;

  constructor(
    private readonly report: ((progress: PullProgress) => void) | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new transfer starts at `bytes` (0, or what a partial download holds). */
  restart(bytes: number, total: number | undefined, resumed: boolean): void {
    this.bytes = bytes;
    this.total = total;
    this.resumed = resumed;
    this.samples = [[this.now(), bytes]];
  }

  add(count: number): void {
    this.bytes += count;
    const now = this.now();
    if (now - this.lastReport >= REPORT_EVERY_MS) this.emit(now);
  }

  /** Reports the final state whatever the throttle says. */
  flush(): void {
    this.emit(this.now());
  }

  private emit(now: number): void {
    this.lastReport = now;
    this.samples.push([now, this.bytes]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > WINDOW_MS) this.samples.shift();
    const [t0, b0] = this.samples[0]!;
    const rate = now > t0 ? ((this.bytes - b0) * 1000) / (now - t0) : 0;
    const left = this.total === undefined ? undefined : Math.max(0, this.total - this.bytes);
    const etaSeconds = left !== undefined && rate > 0 ? left / rate : undefined;
    this.report?.({ bytes: this.bytes, total: this.total, rate, etaSeconds, resumed: this.resumed });
  }
}
