import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { AtomlabError } from '../../lab/errors/index.js';

/** The pid in QEMU's pidfile, if the process is alive and really is this VM's QEMU. */
export async function livePid(pidFile: string, marker: string): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes(marker) ? pid : undefined; // a reused pid belongs to someone else
}

export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** Waits until a process exits, polling; false when it is still there at the deadline. */
export async function waitForExit(pid: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (processGone(pid)) return true;
    if (signal?.aborted) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return processGone(pid);
}

export interface LaunchResult {
  ok: boolean;
  /** QEMU's own words when it refused to start. */
  stderr: string;
}

/** Starts QEMU with -daemonize: it returns once the VM runs in the background, or fails with QEMU's reason. */
export function launchDaemonized(binary: string, args: string[], signal?: AbortSignal): Promise<LaunchResult> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { encoding: 'utf8', timeout: 120_000, signal }, (error, _stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new AtomlabError(`${binary} not found`, { code: 'MISSING_TOOL', hint: 'install it with: apt-get install qemu-system-x86 (or run scripts/setup-host)' }));
      } else if (error?.name === 'AbortError') {
        reject(new AtomlabError('interrupted while starting QEMU', { code: 'INTERRUPTED', cause: error }));
      } else {
        resolve({ ok: !error, stderr: stderr.trim() });
      }
    });
  });
}

/** QEMU could not bind a forwarded host port: another program took it after we chose it. */
export function isPortClash(stderr: string): boolean {
  return /Could not set up host forwarding rule|Address already in use|Failed to bind socket/i.test(stderr);
}
