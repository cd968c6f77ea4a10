import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadScenario } from '../../lab/scenario/index.js';
import { labDir } from '../helpers/lab.js';
import { fixture, runCli } from '../helpers/run-cli.js';
import { providers } from '../../providers/registry.js';

test('validate reports step problems with FILE:LINE:COL (shape first)', async (t) => {
  const file = fixture('scenarios', 'bad-steps.yaml');
  const result = await runCli(['validate', file]);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /bad-steps\.yaml:7:25: steps\[0\]\.expect\.stdout\.contans: unknown key \(did you mean "contains"\?\)/);
  t.regex(result.stderr, /bad-steps\.yaml:15:16: steps\[6\]\.wait-port: must be at most 65535/);
});

test('validate reports misplaced options, unknown VMs, bad regexes at their lines', async (t) => {
  const { file } = await labDir(`name: s
defaults: { image: tiny }
vms:
  - name: host1
steps:
  - upgrade: host2
  - reboot: host1
    on: host1
  - run: x
    reboot: host1
  - name: nothing to do
  - console-expect: "(("
  - copy: { from: a.txt, to: relative/path }
`);
  const result = await runCli(['validate', file]);
  t.is(result.exitCode, 2);
  const lines = result.stderr.trim().split('\n').map((line) => line.replace(/^.*atomlab\.yaml:/, ''));
  t.deepEqual(lines, [
    '6:14: steps[0].upgrade: no VM named "host2" (did you mean "host1"?)',
    '8:5: steps[1].on: does not apply to a reboot step (it takes name, timeout)',
    '9:5: steps[2]: a step does one thing: it has run and reboot',
    '11:5: steps[3]: a step needs one of run, reboot, upgrade, rollback, reset, snapshot, revert, copy, wait-port, console-expect',
    '12:21: steps[4].console-expect: not a valid regular expression: Invalid regular expression: /((/: Unterminated group',
    '13:30: steps[5].copy.to: must be an absolute path in the guest',
  ]);
});

test('steps resolve to plans: targets in scenario order, all by default, timeouts and defaults set', async (t) => {
  const { dir, file } = await labDir(`name: s
defaults: { image: tiny }
vms: [{ name: a }, { name: b }, { name: c }]
steps:
  - run: uptime
  - upgrade: [c, a]
    version: 2
  - rollback: all
    timeout: 90s
  - copy: { from: files/x.txt, to: /tmp/x, mode: "0600" }
    on: b
  - wait-port: 9090
    http: { status: 200, tls: true }
`);
  await writeFile(join(dir, 'unused'), '');
  const { plan } = await loadScenario(file, { providers });
  t.deepEqual(plan.steps.map((s) => [s.index, s.name, s.vms, s.timeoutMs]), [
    [1, 'run uptime', ['a', 'b', 'c'], 120_000],
    [2, 'upgrade c,a', ['a', 'c'], 600_000],
    [3, 'rollback all', ['a', 'b', 'c'], 90_000],
    [4, 'copy files/x.txt → /tmp/x', ['b'], 300_000],
    [5, 'wait-port 9090', ['a', 'b', 'c'], 300_000],
  ]);
  t.deepEqual(plan.steps[1]!.action, { kind: 'upgrade', version: '2', interrupt: undefined });
  t.deepEqual(plan.steps[3]!.action, { kind: 'copy', from: join(dir, 'files/x.txt'), to: '/tmp/x', mode: 0o600 });
  t.deepEqual(plan.steps[4]!.action, { kind: 'wait-port', port: 9090, http: { path: '/', status: 200, tls: true } });
  t.deepEqual(plan.steps[0]!.action, { kind: 'run', command: 'uptime', expect: { exit: 0, stdout: undefined, stderr: undefined, json: undefined } });
});

test('the shipped upgrade/rollback scenario validates', async (t) => {
  const result = await runCli(['validate', fixture('..', '..', 'scenarios', 'atomic-upgrade-rollback.yaml')]);
  t.is(result.exitCode, 0, result.stderr);
});
