import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseJunit } from 'test-results-parser';
import { renderSummary, writeJunit } from '../../lab/report/index.js';
import { totals, type RunReport, type StepResult } from '../../lab/steps/index.js';

const run = promisify(execFile);

const results: StepResult[] = [
  { step: 1, name: 'docker works', kind: 'run', vm: 'a', status: 'passed', durationMs: 1200, detail: 'exit 0', output: { command: 'docker info', exitCode: 0, stdout: 'Containers: 0\n', stderr: '' } },
  { step: 1, name: 'docker works', kind: 'run', vm: 'b', status: 'passed', durationMs: 900, detail: 'exit 0' },
  {
    step: 2,
    name: 'version <2> & "quotes"',
    kind: 'run',
    vm: 'a',
    status: 'failed',
    durationMs: 300,
    output: { command: 'cat /etc/os-release', exitCode: 1, stdout: 'VERSION_ID=1\n]]> tricky', stderr: 'cat: denied\n' },
    failure: { message: 'stdout does not contain "VERSION_ID=2"', consoleTail: ['[  1.0] booting', 'login:'] },
  },
  { step: 3, name: 'upgrade a', kind: 'upgrade', vm: 'a', status: 'skipped', durationMs: 0, detail: 'an earlier step failed on a: 2. version' },
  { step: 3, name: 'upgrade a', kind: 'upgrade', vm: 'b', status: 'passed', durationMs: 61_000, detail: 'tiny-x.0 (version 1) → tiny-y.0 (version 2)' },
];
const report: RunReport = { lab: 'qa', scenario: '/labs/qa.yaml', startedAt: '2026-11-22T07:00:00.000Z', durationMs: 63_400, totals: totals(results), results };

test('JUnit XML: one testcase per step per VM, read back by test-results-parser and well-formed to xmllint', async (t) => {
  const file = join(await mkdtemp(join(tmpdir(), 'atomlab-junit-')), 'report.xml');
  await writeJunit(file, report);
  await run('xmllint', ['--noout', file]);
  const parsed = parseJunit({ type: 'junit', files: [file] });
  t.is(parsed.suites.flatMap((s) => s.cases).length, 5);
  t.is(parsed.total, 4, 'test-results-parser counts executed tests: skipped ones are apart');
  t.is(parsed.passed, 3);
  t.is(parsed.failed, 1);
  t.is(parsed.skipped, 1);
  t.deepEqual(parsed.suites.map((s) => s.name), ['qa.a', 'qa.b']);
  const failed = parsed.suites[0]!.cases.find((c) => c.status === 'FAIL')!;
  t.is(failed.name, '02 version <2> & "quotes"');
  t.is(failed.failure, 'stdout does not contain "VERSION_ID=2"');
  t.regex(failed.stack_trace, /command: cat \/etc\/os-release/);
  t.regex(failed.stack_trace, /exit status: 1/);
  t.regex(failed.stack_trace, /stdout:\n {2}VERSION_ID=1\n {2}\]\]> tricky/, 'a CDATA terminator in output survives');
  t.regex(failed.stack_trace, /stderr:\n {2}cat: denied/);
  t.regex(failed.stack_trace, /console \(last 2 lines\):\n {2}\[ {2}1\.0\] booting\n {2}login:/);
  const text = await readFile(file, 'utf8');
  t.regex(text, /<skipped\/>/);
});

test('the summary has a line per step and VM and the totals', (t) => {
  const summary = renderSummary(report);
  t.regex(summary, /^FAIL {2}2\. a: version <2> & "quotes" — stdout does not contain "VERSION_ID=2"$/m);
  t.regex(summary, /^skip {2}3\. a: upgrade a — an earlier step failed/m);
  t.regex(summary, /^3 passed, 1 failed, 1 skipped \(63\.4 s\)$/m);
});
