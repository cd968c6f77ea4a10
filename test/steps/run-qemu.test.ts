import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseJunit } from 'test-results-parser';
import type { RunReport } from '../../lab/steps/index.js';
import { labDir, processesMentioning } from '../helpers/lab.js';
import { ROOT, runCli } from '../helpers/run-cli.js';

// One tiny VM under QEMU (TCG) runs the whole shipped upgrade/rollback scenario once, as shipped,
// then a failing scenario on the same lab. Serial, generous timeouts, no timing assertions.
const LONG = { timeoutMs: 40 * 60_000 };

/** Same lab and VM as the shipped scenario (so no second boot): snapshot, copy, revert, then a failing expect. */
const SECOND = (name: string) => `name: ${name}
defaults: { image: tiny, memory: 256MiB }
vms:
  - name: atomic
    hostname: atomic
steps:
  - snapshot: before-copy
  - copy: { from: payload.txt, to: /var/tmp/payload.txt, mode: "0600" }
  - run: stat -c %a /var/tmp/payload.txt && cat /var/tmp/payload.txt
    expect: { stdout: { contains: ["600", "payload for the guest"] } }
  - revert: before-copy
  - run: test ! -e /var/tmp/payload.txt
  - wait-port: 22
  - run: busybox httpd -p 8080 -h /etc
  - wait-port: 8080
    http: { path: /hostname, status: 200 }
  - name: says hello
    run: echo hello; echo to-stderr >&2
    expect: { stdout: { contains: goodbye } }
  - name: never reached
    run: "true"
`;

test.serial('the shipped upgrade/rollback scenario passes through atomlab run as shipped (its own update repository); a failing expect exits 1 and shows the command\'s output', async (t) => {
  // a fresh copy of the shipped file, nothing run before it: it publishes and serves its own updates
  const { dir, file } = await labDir(await readFile(join(ROOT, 'scenarios/atomic-upgrade-rollback.yaml'), 'utf8'));
  const junit = join(dir, 'report.xml');
  try {
    const run = await runCli(['run', file, '--junit', junit, '--json'], LONG);
    const report = JSON.parse(run.stdout) as RunReport;
    const failures = report.results.filter((r) => r.status !== 'passed').map((r) => `${r.step} ${r.name}: ${r.failure?.message ?? r.detail}`);
    t.deepEqual(failures, [], run.stderr.slice(-3000));
    t.is(run.exitCode, 0);
    t.is(report.totals.passed, report.results.length);
    const detail = (kind: string) => report.results.filter((r) => r.kind === kind).map((r) => r.detail ?? '');
    t.regex(detail('upgrade')[0]!, /interrupted by a hard reset; the host booted the deployment from before the upgrade/);
    t.regex(detail('upgrade')[1]!, /version 1\) → .*version 2\)/);
    t.deepEqual(detail('rollback').map((d) => /→ .*\(version (\d)\)$/.exec(d)?.[1]), ['1', '2', '1']);
    const served = await readFile(join(dir, '.atomlab/serve/updates.log'), 'utf8');
    t.regex(served, /GET \/repo\/objects\/[0-9a-f]{64}\.tar\.gz 200/, 'the upgrade downloaded the tree from the lab\'s own server');

    const parsed = parseJunit({ type: 'junit', files: [junit] });
    t.is(parsed.suites.flatMap((s) => s.cases).length, report.results.length);
    t.is(parsed.passed, report.results.length);
    t.is(parsed.failed, 0);

    // a failing scenario beside it: same lab and VM (no second boot), other steps
    const failingFile = join(dir, 'failing.yaml');
    await writeFile(failingFile, SECOND('atomic-upgrade-rollback'));
    await writeFile(join(dir, 'payload.txt'), 'payload for the guest\n');
    const failingJunit = join(dir, 'failing.xml');
    const failing = await runCli(['run', failingFile, '--junit', failingJunit], LONG);
    t.is(failing.exitCode, 1, failing.stderr);
    t.regex(failing.stdout, /FAIL +9\. atomic: says hello — stdout does not contain "goodbye"/);
    t.regex(failing.stdout, /^8 passed, 1 failed, 1 skipped/m, 'snapshot, copy (mode, content), revert (the copy is gone), wait-port (TCP, and HTTP through SSH) passed');
    t.regex(failing.stdout, /command: echo hello; echo to-stderr >&2 \(exit 0\)\n +stdout \(last 1 lines\):\n +\| hello\n +stderr \(last 1 lines\):\n +\| to-stderr/, 'the failed step shows the last lines of its own output');
    const judged = parseJunit({ type: 'junit', files: [failingJunit] });
    t.is(judged.failed, 1);
    t.is(judged.skipped, 1);
    const failedCase = judged.suites.flatMap((s) => s.cases).find((c) => c.status === 'FAIL')!;
    t.is(failedCase.name, '09 says hello');
    t.regex(failedCase.failure, /stdout does not contain "goodbye"/);
    t.regex(failedCase.stack_trace, /command: echo hello; echo to-stderr >&2/);
    t.regex(failedCase.stack_trace, /stdout:\n {2}hello/);
    t.regex(failedCase.stack_trace, /stderr:\n {2}to-stderr/);
    t.regex(failedCase.stack_trace, /console \(last \d+ lines\)/);
  } finally {
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
    t.deepEqual(await processesMentioning(dir), []);
  }
});
