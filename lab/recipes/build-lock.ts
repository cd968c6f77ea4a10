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
    const handle = await open(path, 'wx', 0o644);
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

/**
 * Holds `path` as a lock until the returned function is called; waits while another live
 * process holds it, and takes over a lock whose process is gone.
 */
export async function acquireLock(path: string, signal?: AbortSignal): Promise<() => Promise<void>> {
  while (!(await tryLock(path))) {
    if (signal?.aborted) throw new AtomlabError(`interrupted while waiting for ${path}`, { code: 'INTERRUPTED' });
    await sleep(500, undefined, { signal }).catch(() => undefined);
  }
  return () => rm(path, { force: true });
}
