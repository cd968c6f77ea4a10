import type { PullProgress } from './image-source.js';

const MiB = 1024 * 1024;

/** One line for people: `120.5 / 312.0 MiB at 40.1 MiB/s, 5 s left (resumed)`. */
export function describeProgress(progress: PullProgress): string {
  const done = `${(progress.bytes / MiB).toFixed(1)}${progress.total ? ` / ${(progress.total / MiB).toFixed(1)}` : ''} MiB`;
  const eta = progress.etaSeconds === undefined ? '' : `, ${Math.ceil(progress.etaSeconds)} s left`;
  return `${done} at ${(progress.rate / MiB).toFixed(1)} MiB/s${eta}${progress.resumed ? ' (resumed)' : ''}`;
}
