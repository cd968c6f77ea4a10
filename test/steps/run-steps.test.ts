import test from 'ava';
import type { StepAction, StepPlan } from '../../lab/plan/index.js';
import { runSteps, StepFailure, type Guest, type StepEvent, type StepExecutor } from '../../lab/steps/index.js';

const guest = (vm: string): Guest => ({ vm, consoleTail: () => [`${vm} console line`] }) as unknown as Guest;
const guests = (...names: string[]) => new Map(names.map((name) => [name, guest(name)]));
const step = (index: number, vms: string[], command: string, timeoutMs = 60_000): StepPlan => ({
  index,
  name: `run ${command}`,
  vms,
  timeoutMs,
  action: { kind: 'run', command, expect: { exit: 0 } } as StepAction,
});

/** A `run` executor that fails commands named "fail" on the VMs listed, and records what ran. */
function fakeRun(failOn: string[], ran: string[]): StepExecutor {
  return async (ctx) => {
    if (ctx.step.action.kind !== 'run') throw new Error('unexpected');
    ran.push(`${ctx.step.index}:${ctx.guest.vm}`);
    if (ctx.step.action.command === 'fail' && failOn.includes(ctx.guest.vm)) {
      throw new StepFailure('stdout is "x", expected "y"', { command: 'fail', exitCode: 0, stdout: 'x\n', stderr: '' });
    }
    return { detail: 'ok' };
  };
}

test('a failed step skips that VM\'s later steps; other VMs go on; results keep step order', async (t) => {
  const ran: string[] = [];
  const steps = [step(1, ['a', 'b'], 'fail'), step(2, ['a', 'b'], 'next'), step(3, ['b'], 'only b')];
  const results = await runSteps({ steps, guests: guests('a', 'b'), executors: { run: fakeRun(['a'], ran) } });
  t.deepEqual(results.map((r) => `${r.step}:${r.vm}:${r.status}`), ['1:a:failed', '1:b:passed', '2:a:skipped', '2:b:passed', '3:b:passed']);
  t.deepEqual(ran.sort(), ['1:a', '1:b', '2:b', '3:b']);
  const failed = results[0]!;
  t.is(failed.output?.stdout, 'x\n');
  t.deepEqual(failed.failure?.consoleTail, ['a console line']);
  t.is(results[2]!.detail, 'an earlier step failed on a: 1. run fail');
});

test('the VMs of one step run in parallel', async (t) => {
  let inFlight = 0;
  let most = 0;
  const slow: StepExecutor = async () => {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 50));
    inFlight--;
    return {};
  };
  await runSteps({ steps: [step(1, ['a', 'b', 'c'], 'x')], guests: guests('a', 'b', 'c'), executors: { run: slow } });
  t.is(most, 3);
});

test('a step past its timeout fails with "timed out" and its signal aborts', async (t) => {
  let aborted = false;
  const hang: StepExecutor = (ctx) =>
    new Promise(() => {
      ctx.progress('GET / answered 404, expected 200');
      ctx.signal.addEventListener('abort', () => (aborted = true));
    });
  const [result] = await runSteps({ steps: [step(1, ['a'], 'hang', 100)], guests: guests('a'), executors: { run: hang } });
  t.is(result!.status, 'failed');
  t.is(result!.failure!.message, 'timed out after 0 s (last: GET / answered 404, expected 200)');
  t.true(aborted);
});

test('a VM that is not up fails its first step and skips the rest; events tell each step', async (t) => {
  const events: StepEvent[] = [];
  const results = await runSteps({ steps: [step(1, ['a', 'gone'], 'x'), step(2, ['gone'], 'y')], guests: guests('a'), executors: { run: fakeRun([], []) }, events: (e) => events.push(e) });
  t.deepEqual(results.map((r) => `${r.vm}:${r.status}`), ['a:passed', 'gone:failed', 'gone:skipped']);
  t.regex(results[1]!.failure!.message, /gone is not up/);
  t.deepEqual(events.filter((e) => e.kind !== 'step-result').map((e) => e.kind), ['step-start', 'step-end', 'step-start', 'step-end']);
});

test('an interrupted run skips what has not started', async (t) => {
  const controller = new AbortController();
  controller.abort();
  const results = await runSteps({ steps: [step(1, ['a'], 'x')], guests: guests('a'), executors: { run: fakeRun([], []) }, signal: controller.signal });
  t.is(results[0]!.status, 'skipped');
});
