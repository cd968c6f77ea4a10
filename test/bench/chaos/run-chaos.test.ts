import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planRuns, runChaos } from '../../../bench/chaos/run-chaos.js';
import type { ChaosSummary } from '../../../bench/chaos/summary.js';

// The chaos suite at a small N: real atomlab CLI processes killed at seeded random moments on the
// tiny guest (QEMU, TCG), every trace looked for from outside. Serial; no timing assertions. Seed 15
// draws the kills at 24%, 40% and 40% of the measured up: mid-boot, where the cleanup matters.

test('a seed replays: the same ops, signals and kill moments, each within [0, the op\'s duration], every op × signal pair in turn', (t) => {
  const options = { runs: 12, seed: 42, ops: ['up', 'pull'] as const, signals: ['KILL', 'INT', 'TERM'] as const, recoverEvery: 4 };
  const durations = { up: 40, pull: 5 };
  const plan = planRuns({ ...options, ops: [...options.ops], signals: [...options.signals] }, durations);
  t.deepEqual(plan, planRuns({ ...options, ops: [...options.ops], signals: [...options.signals] }, durations));
  t.notDeepEqual(plan.map((r) => r.at), planRuns({ ...options, seed: 43, ops: [...options.ops], signals: [...options.signals] }, durations).map((r) => r.at));
  t.true(plan.every((r) => r.at! >= 0 && r.at! <= durations[r.op as 'up' | 'pull']));
  t.deepEqual(new Set(plan.slice(0, 6).map((r) => `${r.op}×${r.signal}`)).size, 6, 'the first ops × signals runs cover every pair');
  t.deepEqual(plan.filter((r) => r.recover).map((r) => r.index), [4, 8, 12]);
});

function clean(t: ExecutionContext, summary: ChaosSummary): void {
  const problems = [...summary.measured, ...summary.runs].flatMap((r) => [...r.leaks, ...(r.downFailed ? [r.downFailed] : []), ...r.recoveryProblems].map((p) => `run ${r.index} ${r.op} ${r.signal ?? ''}: ${p}`));
  t.deepEqual(problems, [], summary.line);
  t.regex(summary.line, /^chaos: \d+ kills \(\d+ ops × \d+ signals\), 0 leaks, 0 failed downs, 0 failed recoveries, seed \d+$/);
}

test.serial('chaos on `up` of one tiny VM: SIGKILL, SIGINT, SIGTERM at random moments; status answers, down leaves nothing, a fresh up verifies', async (t) => {
  const workDir = await mkdtemp(join(tmpdir(), 'atomlab-chaos-test-'));
  try {
    const summary = await runChaos({ runs: 3, seed: 15, ops: ['up'], signals: ['KILL', 'INT', 'TERM'], recoverEvery: 3, durations: {}, workDir, log: (line) => t.log(line) });
    t.is(summary.runs.length, 3);
    t.deepEqual(summary.runs.map((r) => r.signal), ['KILL', 'INT', 'TERM']);
    t.true(summary.runs[2]!.recover);
    clean(t, summary);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
});
