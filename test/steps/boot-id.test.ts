import test from 'ava';
import { NotReadyError, waitReady, type Clock } from '../../lab/ready/index.js';
import { waitForNewBoot, type Guest, type VerifyOptions } from '../../lab/steps/index.js';

const BEFORE = '11111111-1111-4111-8111-111111111111';
const AFTER = '22222222-2222-4222-8222-222222222222';

/** Time that passes only when the waiter sleeps. */
function fakeClock(): Clock & { slept: number } {
  const clock = {
    t: 0,
    slept: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
      clock.slept += ms;
    },
  };
  return clock;
}

/** A guest whose login verification is the real readiness loop, over no real SSH. */
function fakeGuest(): Guest {
  return {
    vm: 'fake',
    verifyLogin: (options: VerifyOptions) =>
      waitReady({
        target: { vm: 'fake', endpoint: async () => ({ host: '127.0.0.1', port: 1 }), user: 'u', privateKey: '', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKpZgampy356NUEGNDvg2GbBeUiNSjxLFtorg/LzNyfV fake', hostname: 'fake' },
        console: async function* () {},
        timeoutMs: options.timeoutMs,
        clock: options.clock,
        stages: options.first ?? [],
      }).then(() => undefined),
  } as unknown as Guest;
}

/** Answers in order, repeating the last one. */
function answers(...script: (string | Error)[]): { read: () => Promise<string>; calls: number } {
  const state = { calls: 0, read: async () => '' };
  state.read = async () => {
    const answer = script[Math.min(state.calls++, script.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return state;
}

test('SSH coming back with the same boot_id is not a reboot; a new boot_id is', async (t) => {
  const clock = fakeClock();
  const down = new Error('connect ECONNREFUSED');
  const script = answers(BEFORE, BEFORE, down, down, BEFORE, BEFORE, BEFORE, AFTER);
  await waitForNewBoot(fakeGuest(), { before: BEFORE, timeoutMs: 600_000, clock, read: script.read });
  t.is(script.calls, 8, 'it kept asking through the unchanged answers and only stopped at the new boot_id');
});

test('a guest that answers SSH but never reboots times out, saying boot_id did not change', async (t) => {
  const clock = fakeClock();
  const script = answers(BEFORE);
  const error = await t.throwsAsync(waitForNewBoot(fakeGuest(), { before: BEFORE, timeoutMs: 120_000, clock, read: script.read }), { instanceOf: NotReadyError });
  t.regex(error!.message, /boot_id is still 1111/);
  t.true(script.calls > 10);
  t.true(clock.now() >= 120_000, 'it waited the whole timeout (on the fake clock)');
});

test('a slow reconnect (SSH refused for a long time) still ends with the new boot_id', async (t) => {
  const clock = fakeClock();
  const refusals = Array.from({ length: 50 }, () => new Error('timed out'));
  const script = answers(...refusals, AFTER);
  await waitForNewBoot(fakeGuest(), { before: BEFORE, timeoutMs: 600_000, clock, read: script.read });
  t.is(script.calls, 51);
});
