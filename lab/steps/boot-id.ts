import type { Attempt, Clock, Stage } from '../ready/index.js';
import { StepFailure } from './step-failure.js';
import type { Guest } from './guest.js';

const BOOT_ID = 'cat /proc/sys/kernel/random/boot_id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Reads the kernel's boot_id: a new random UUID every boot, so the one proof of a reboot. */
export async function readBootId(guest: Guest, signal?: AbortSignal, timeoutMs = 30_000): Promise<string> {
  const result = await guest.exec(BOOT_ID, { timeoutMs, signal });
  const id = result.stdout.trim();
  if (result.code !== 0 || !UUID.test(id)) throw new StepFailure(`cannot read boot_id: ${result.stderr.trim() || id || `exit ${String(result.code)}`}`, { command: BOOT_ID, exitCode: result.code, stdout: result.stdout, stderr: result.stderr });
  return id;
}

/**
 * A readiness stage that passes only once the guest answers with a boot_id other than `before`.
 * SSH answering again proves nothing (a slow reconnect, or sshd still up before the reboot):
 * only a new boot_id does.
 */
export function bootIdStage(before: string, read: () => Promise<string>): Stage {
  return {
    name: 'boot-id',
    hint: 'the guest did not reboot: check the reboot command and the console',
    async attempt(): Promise<Attempt> {
      let now: string;
      try {
        now = await read();
      } catch (error) {
        return { done: false, why: `no answer yet (${(error as Error).message})` };
      }
      if (now === before) return { done: false, why: `SSH answers but boot_id is still ${before}: not rebooted yet` };
      return { done: true, note: `boot_id ${before} → ${now}` };
    },
  };
}

export interface NewBootOptions {
  before: string;
  timeoutMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** Replaces the boot_id reader (tests). */
  read?: () => Promise<string>;
  onProgress?: (detail: string) => void;
}

/** Waits for a new boot (boot_id changed), then verifies login the way `up` does. */
export async function waitForNewBoot(guest: Guest, options: NewBootOptions): Promise<void> {
  const read = options.read ?? (() => readBootId(guest, options.signal, 20_000));
  await guest.verifyLogin({
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    clock: options.clock,
    first: [bootIdStage(options.before, read)],
    onStage: (stage, note) => options.onProgress?.(`${stage} ok${note ? `: ${note}` : ''}`),
  });
}

/**
 * Starts a reboot in the background (HUP ignored, no nohup needed) so the SSH command returns
 * before the connection drops.
 */
export const REBOOT_COMMAND = `sudo -n sh -c 'trap "" HUP; (sleep 1; systemctl reboot || reboot) </dev/null >/dev/null 2>&1 &'`;

/** True once the guest stops answering or answers with another boot_id; false if it stays up as it was. */
async function wentDown(guest: Guest, before: string, withinMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline && !signal?.aborted) {
    const now = await readBootId(guest, signal, 20_000).catch(() => undefined);
    if (now !== before) return true;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return false;
}

/** How long a guest may keep answering, unchanged, after the reboot command before it is asked again. */
const GO_DOWN_MS = 90_000;

/**
 * Asks the guest to reboot until it goes down (at most three times: under load the SSH session
 * that carries the command can fail before the command runs, and an error after it ran looks
 * the same from here).
 */
async function triggerReboot(guest: Guest, before: string, options: { signal?: AbortSignal; onProgress?: (detail: string) => void }): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    options.onProgress?.(attempt === 1 ? 'rebooting' : `the guest is still up with the same boot_id: asking again (${attempt})`);
    const result = await guest.exec(REBOOT_COMMAND, { timeoutMs: 30_000, signal: options.signal }).catch(() => undefined); // the connection may drop
    if (result && result.code !== 0) throw new StepFailure(`the reboot command failed: ${result.stderr.trim()}`, { command: REBOOT_COMMAND, exitCode: result.code, stdout: result.stdout, stderr: result.stderr });
    if (await wentDown(guest, before, GO_DOWN_MS, options.signal)) return;
  }
}

/** Reboots the guest and waits until it has really rebooted and login works again. */
export async function rebootGuest(guest: Guest, options: { timeoutMs: number; signal?: AbortSignal; onProgress?: (detail: string) => void }): Promise<string> {
  const started = Date.now();
  const before = await readBootId(guest, options.signal);
  await triggerReboot(guest, before, options);
  await waitForNewBoot(guest, { before, timeoutMs: options.timeoutMs - (Date.now() - started), signal: options.signal, onProgress: options.onProgress });
  return before;
}

/** Hard reset through the provider (or a forced stop and start), then waits for the new boot. */
export async function resetGuest(guest: Guest, before: string, options: { timeoutMs: number; signal?: AbortSignal; onProgress?: (detail: string) => void }): Promise<void> {
  options.onProgress?.('hard reset');
  if (guest.provider.reset) await guest.provider.reset(guest.ref);
  else {
    await guest.provider.stop(guest.ref, { force: true });
    await guest.provider.start(guest.ref, options.signal);
  }
  await waitForNewBoot(guest, { before, timeoutMs: options.timeoutMs, signal: options.signal, onProgress: options.onProgress });
}
