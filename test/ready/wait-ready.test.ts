import test from 'ava';
import { NotReadyError, waitReady, type Clock, type Stage } from '../../lab/ready/index.js';

const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDrNlsc3aSamVO6bjdtdaD6uxUMM6R7ZCrRl3yohdJ8J root@h';
const target = { vm: 'vm1', endpoint: async () => ({ host: '127.0.0.1', port: 1 }), user: 'fedora', privateKey: '', hostKey: HOST_KEY, hostname: 'h' };

/** A clock that moves only when readiness sleeps: no test waits for real time. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
}

async function* lines(items: string[], signal: AbortSignal): AsyncIterable<string> {
  for (const line of items) {
    if (signal.aborted) return;
    yield line;
  }
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
}

test('a stage is retried with backoff until it succeeds, and each stage is timed', async (t) => {
  let calls = 0;
  const stages: Stage[] = [{ name: 'ssh', hint: '', attempt: async () => (++calls < 4 ? { done: false, why: 'not yet' } : { done: true }) }];
  const clock = fakeClock();
  const result = await waitReady({ target, console: (s) => lines([], s), timeoutMs: 60_000, clock, stages });
  t.is(calls, 4);
  t.deepEqual(clock.slept, [250, 500, 1000]);
  t.is(result.timings.ssh, 1750);
  t.true(result.login.verified);
  t.regex(result.login.hostKey, /^SHA256:/);
});

test('running out of time names the stage, what was tried and the hint', async (t) => {
  const stages: Stage[] = [{ name: 'ssh', hint: 'did it boot?', attempt: async () => ({ done: false, why: 'no banner' }) }];
  const error = await t.throwsAsync(waitReady({ target, console: (s) => lines(['booting'], s), timeoutMs: 10_000, clock: fakeClock(), stages }), { instanceOf: NotReadyError });
  t.is(error.stage, 'ssh');
  t.deepEqual(error.tried, ['ssh: no banner']);
  t.is(error.hint, 'did it boot?');
  t.regex(error.message, /vm1: not ready at stage ssh: timed out/);
});

test('a fatal console line stops readiness at once and keeps the console tail', async (t) => {
  const stages: Stage[] = [{ name: 'ssh', hint: '', attempt: async (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ done: false, why: 'aborted' }))) }];
  const error = await t.throwsAsync(
    waitReady({ target, console: (s) => lines(['Booting', '[    1.2] Kernel panic - not syncing: VFS: Unable to mount root fs'], s), timeoutMs: 600_000, clock: fakeClock(), stages }),
    { instanceOf: NotReadyError },
  );
  t.regex(error.message, /the guest kernel panicked/);
  t.deepEqual(error.consoleTail, ['Booting', '[    1.2] Kernel panic - not syncing: VFS: Unable to mount root fs']);
});

test('a fatal attempt is not retried', async (t) => {
  let calls = 0;
  const stages: Stage[] = [{ name: 'login-key', hint: '', attempt: async () => (calls++, { done: false, fatal: true, why: 'host key mismatch' }) }];
  await t.throwsAsync(waitReady({ target, console: (s) => lines([], s), timeoutMs: 60_000, clock: fakeClock(), stages }), { message: /host key mismatch/ });
  t.is(calls, 1);
});
