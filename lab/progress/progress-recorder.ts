import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventSink, LabEvent } from '../engine/index.js';
import { writeFileAtomic } from '../files/index.js';
import type { RunReport, StepEvent, StepEventSink } from '../steps/index.js';
import type { LabProgress } from './progress-types.js';

/** Writes at most this often while events pour in (the last change is always written). */
const WRITE_INTERVAL_MS = 250;

export interface ProgressRecorderOptions {
  file: string;
  command: LabProgress['command'];
}

/**
 * Keeps `.atomlab/progress.json` up to date from the engine's and the step runner's events.
 * Writes are atomic and coalesced; `finish` writes the outcome and waits for the last write.
 * Nothing is written until the engine says this command holds the lab: a second `up` waiting
 * for the lock, or refused by `--no-wait`, leaves the holder's progress alone.
 */
export class ProgressRecorder {
  private readonly progress: LabProgress;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private held = false;

  constructor(private readonly options: ProgressRecorderOptions) {
    this.progress = { version: 1, command: options.command, pid: process.pid, startedAt: new Date().toISOString(), vms: {}, steps: [], results: [], reports: {} };
  }

  readonly labSink: EventSink = (event: LabEvent) => {
    if (event.kind === 'held') {
      this.held = true; // the first write: this command's record replaces the last one's
      return this.schedule();
    }
    if (event.kind === 'warning' || event.vm === undefined) return;
    const known = this.progress.vms[event.vm];
    const phase = event.kind === 'phase' ? event.phase : (known?.phase ?? 'image');
    this.progress.vms[event.vm] = { phase, detail: event.detail, at: new Date().toISOString() };
    this.schedule();
  };

  readonly stepSink: StepEventSink = (event: StepEvent) => {
    const steps = this.progress.steps;
    if (event.kind === 'step-start') steps.push({ step: event.step, name: event.name, vms: event.vms, state: 'running', doing: {} });
    const step = steps.find((s) => s.step === (event.kind === 'step-result' ? event.result.step : event.step));
    if (step && event.kind === 'step-progress') step.doing[event.vm] = event.detail;
    if (event.kind === 'step-result') this.progress.results.push(event.result);
    if (step && event.kind === 'step-end') step.state = event.failed ? 'failed' : this.stepPassed(step.step) ? 'passed' : 'skipped';
    this.schedule();
  };

  private stepPassed(step: number): boolean {
    return this.progress.results.some((r) => r.step === step && r.status === 'passed');
  }

  /** Both sinks' events into one sink and another view's. */
  static tee<E>(...sinks: ((event: E) => void)[]): (event: E) => void {
    return (event) => sinks.forEach((sink) => sink(event));
  }

  /** Writes the outcome, unless this command never held the lab (the progress is another's). */
  async finish(outcome: NonNullable<LabProgress['outcome']>, extra: { report?: RunReport; reports?: LabProgress['reports'] } = {}): Promise<void> {
    if (!this.held) return;
    Object.assign(this.progress, { outcome, finishedAt: new Date().toISOString() }, extra.report ? { report: extra.report } : {}, extra.reports ? { reports: extra.reports } : {});
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.write();
  }

  private schedule(): void {
    if (!this.held) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, WRITE_INTERVAL_MS);
  }

  private write(): Promise<void> {
    const text = `${JSON.stringify(this.progress, null, 2)}\n`;
    this.writing = this.writing
      .then(() => mkdir(dirname(this.options.file), { recursive: true, mode: 0o700 }))
      .then(() => writeFileAtomic(this.options.file, text, { mode: 0o600 }))
      .catch(() => undefined); // progress is for watchers: never fail the command over it
    return this.writing;
  }
}

/** The progress file, or undefined when there is none (or it is being replaced). */
export async function readProgress(file: string): Promise<LabProgress | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  try {
    const progress = JSON.parse(text) as LabProgress;
    return progress.version === 1 ? progress : undefined;
  } catch {
    return undefined;
  }
}
