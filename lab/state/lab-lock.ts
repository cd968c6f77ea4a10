import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
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

async function tryLock(file: string): Promise<boolean> {
  try {
    const handle = await open(file, 'wx', 0o600);
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && alive(owner)) return false;
    await rm(file, { force: true }); // left by a process that died (SIGKILL): take it over
    return false;
  }
}

/**
 * One atomlab process at a time changes a lab. The lock is a file holding the owner's pid; a
 * lock whose owner died is taken over.
 */
export async function acquireLabLock(file: string, waitMs = 30_000): Promise<AsyncDisposable & { release(): Promise<void> }> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + waitMs;
  while (!(await tryLock(file))) {
    if (Date.now() > deadline) {
      const owner = (await readFile(file, 'utf8').catch(() => '?')).trim();
      throw new AtomlabError(`another atomlab (pid ${owner}) is working on this lab`, { code: 'FAILED', hint: 'wait for it to finish, or stop it' });
    }
    await sleep(200);
  }
  const release = () => rm(file, { force: true });
  return { release, [Symbol.asyncDispose]: release };
}
