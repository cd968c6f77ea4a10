import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** True while the process exists and is not a zombie. */
export async function pidAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined || !/^\d+ \(.*\) [ZX] /s.test(stat);
}

/** Stops a process: SIGTERM, up to 5 s, then SIGKILL. A process already gone is not an error. */
export async function terminate(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let waited = 0; waited < 5_000; waited += 100) {
    if (!(await pidAlive(pid))) return;
    await sleep(100);
  }
  process.kill(pid, 'SIGKILL');
  for (let waited = 0; waited < 5_000 && (await pidAlive(pid)); waited += 100) await sleep(100);
}

/** This user's processes (not this one) with an argument naming a path inside `dir`: a lab's QEMUs and file servers. */
export async function processesUsing(dir: string): Promise<{ pid: number; command: string }[]> {
  const found: { pid: number; command: string }[] = [];
  for (const entry of (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name))) {
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
    if (Number(entry) !== process.pid && args.some((arg) => arg.startsWith(`${dir}/`) || arg.includes(`=${dir}/`))) found.push({ pid: Number(entry), command: args.join(' ') });
  }
  return found;
}
