import { open, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../errors/index.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the lock file (O_EXCL) holding our pid; false when another live process holds it. */
async function tryLock(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600);
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) return false;
  // stale: its process is gone; remove it only if nobody replaced it meanwhile
  const again = await readFile(path, 'utf8').catch(() => '');
  if (Number.parseInt(again, 10) === pid || again === '') await rm(path, { force: true });
  return tryLock(path);
}

export interface PidLockOptions {
  signal?: AbortSignal;
  /** Give up after this long, naming the holder (default: wait as long as it takes). */
  timeoutMs?: number;
  /** What holds the lock, for the error: "another atomlab is working on this lab". */
  holder?: string;
  /** What to do, for the error. */
  hint?: string;
  /** Called once, with the holder's pid, when the lock is held and the call starts waiting. */
  onWait?: (pid: string) => void;
}

async function holderPid(path: string): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '?')).trim();
}

/**
 * Holds `path` as a lock until the returned function is called; waits while another live
 * process holds it, and takes over a lock whose process is gone (a SIGKILLed owner).
 */
export async function acquireLock(path: string, options: PidLockOptions | AbortSignal = {}): Promise<() => Promise<void>> {
  const { signal, timeoutMs, holder, hint, onWait } = options instanceof AbortSignal ? { signal: options } as PidLockOptions : options;
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  let told = false;
  while (!(await tryLock(path))) {
    if (signal?.aborted) throw new AtomlabError(`interrupted while waiting for ${path}`, { code: 'INTERRUPTED' });
    if (Date.now() >= deadline) {
      throw new AtomlabError(`${holder ?? 'another process'} (pid ${await holderPid(path)}) holds ${path}`, { code: 'FAILED', hint: hint ?? 'wait for it to finish, or stop it' });
    }
    if (!told && onWait) onWait(await holderPid(path));
    told = true;
    await sleep(Math.min(500, Math.max(50, deadline - Date.now())), undefined, { signal }).catch(() => undefined);
  }
  return () => rm(path, { force: true });
}
