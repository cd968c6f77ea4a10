import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { acquireLock } from '../files/index.js';

/**
 * One atomlab process at a time changes a lab. The lock is a file holding the owner's pid; a
 * lock whose owner died is taken over.
 */
export async function acquireLabLock(file: string, waitMs = 30_000): Promise<AsyncDisposable & { release(): Promise<void> }> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const release = await acquireLock(file, { timeoutMs: waitMs, holder: 'another atomlab working on this lab' });
  return { release, [Symbol.asyncDispose]: release };
}
