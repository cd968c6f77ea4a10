import test from 'ava';
import { rm } from 'node:fs/promises';
import { combineReports, renderReports } from '../../lab/engine/index.js';
import { which } from '../../lab/host/index.js';
import { labDir } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

test('a matrix combination whose provider is unavailable is reported skipped with the reason, and up succeeds', async (t) => {
  if (await which('VBoxManage')) {
    t.log('skipped: VirtualBox is installed here, so its combinations would run (the live suite covers them)');
    t.pass();
    return;
  }
  const { dir, file } = await labDir(`name: across
matrix:
  provider: [virtualbox]
  memory: [256MiB, 320MiB]
defaults:
  image: tiny
vms:
  - name: host1
`);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const up = await runCli(['up', file, '--json'], { timeoutMs: 300_000 });
  t.is(up.exitCode, 0, up.stderr);
  const report = JSON.parse(up.stdout) as { combinations: { key: string; skipped?: string; vms: unknown[] }[] };
  t.deepEqual(report.combinations.map((c) => c.key), ['virtualbox-256MiB', 'virtualbox-320MiB']);
  for (const combination of report.combinations) {
    t.regex(combination.skipped ?? '', /^virtualbox: VBoxManage not found: install VirtualBox/);
    t.deepEqual(combination.vms, []);
  }
  const text = await runCli(['up', file], { timeoutMs: 300_000 });
  t.regex(text.stdout, /across-virtualbox-256MiB \[provider=virtualbox memory=256MiB\]: skipped: virtualbox: /);
  t.is((await runCli(['down', file], { timeoutMs: 300_000 })).exitCode, 0);
});

test('combined reports keep each combination: a skipped one beside one that ran', (t) => {
  const vm = { name: 'host1', provider: 'qemu', state: 'running' as const, login: { verified: true, methods: ['key'] } };
  const report = combineReports('across', '/lab/atomlab.yaml', [
    { report: { lab: 'across-qemu', scenario: '/lab/atomlab.yaml', vms: [vm] }, key: 'qemu', values: { provider: 'qemu' } },
    { report: { lab: 'across-virtualbox', scenario: '/lab/atomlab.yaml', vms: [], skipped: 'virtualbox: VBoxManage not found' }, key: 'virtualbox', values: { provider: 'virtualbox' } },
  ]);
  t.deepEqual(report.combinations!.map((c) => [c.key, c.skipped, c.vms.length]), [['qemu', undefined, 1], ['virtualbox', 'virtualbox: VBoxManage not found', 0]]);
  t.regex(renderReports(report), /across-virtualbox \[provider=virtualbox\]: skipped: virtualbox: VBoxManage not found/);
  t.regex(renderReports(report), /host1/);
});
