import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { AtomlabError } from '../errors/index.js';
import { requireTool } from '../host/index.js';

export interface LockOptions {
  signal?: AbortSignal;
  /** Give up at once when another process holds the lock (returns undefined). */
  tryOnly?: boolean;
}

/** Resolves true once flock printed that it holds the lock, false if it exited without. */
async function acquired(child: ReturnType<typeof spawn>): Promise<boolean> {
  const closed = once(child, 'close').then(() => false);
  const locked = once(child.stdout!, 'data').then(() => true);
  return Promise.race([locked, closed]);
}

/**
 * Holds an exclusive lock on `lockPath` while `work` runs. The lock is flock(2) held by a small
 * child process reading our pipe: if atomlab dies in any way (even SIGKILL) the pipe closes, the
 * child exits and the kernel releases the lock; there is never a stale lock to clean up.
 */
export async function withEntryLock<T>(lockPath: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T | undefined> {
  const flock = await requireTool('flock');
  const mode = options.tryOnly ? ['-x', '-n'] : ['-x'];
  const child = spawn(flock, [...mode, lockPath, '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const onAbort = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (!(await acquired(child))) {
      if (options.signal?.aborted) throw new AtomlabError('interrupted while waiting for the image cache lock', { code: 'INTERRUPTED' });
      if (options.tryOnly) return undefined;
      throw new AtomlabError(`cannot lock ${lockPath}: ${stderr.trim()}`, { code: 'IO', context: { file: lockPath } });
    }
    return await work();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    child.stdin!.end();
    if (child.exitCode === null && child.signalCode === null) await once(child, 'close');
  }
}
