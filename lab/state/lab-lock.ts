import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { acquireLock } from '../files/index.js';

export interface LabLockOptions {
  /** False: refuse at once when another process holds the lab, naming its pid (`--no-wait`). Default: wait for it. */
  wait?: boolean;
  /** Told once, with the holder's pid, when the lock is held and this call waits. */
  onWait?: (holder: string) => void;
  signal?: AbortSignal;
}

/**
 * One atomlab process at a time changes a lab. The lock is a file holding the owner's pid; a
 * lock whose owner died is taken over. A second command waits for the first (saying so), or
 * with `wait: false` refuses, naming the holder.
 */
export async function acquireLabLock(file: string, options: LabLockOptions = {}): Promise<AsyncDisposable & { release(): Promise<void> }> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const release = await acquireLock(file, {
    timeoutMs: options.wait === false ? 0 : undefined,
    holder: 'another atomlab working on this lab',
    hint: options.wait === false ? 'wait for it to finish (leave out --no-wait to wait for it), or stop it' : undefined,
    onWait: options.onWait,
    signal: options.signal,
  });
  return { release, [Symbol.asyncDispose]: release };
}
