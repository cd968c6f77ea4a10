import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';

interface Report {
  host: { node: string };
  components: { name: string; found: boolean; version?: string; package?: string; install?: string }[];
}

test('doctor --json is one document naming every component', async (t) => {
  const result = await runCli(['doctor', '--json']);
  t.is(result.exitCode, 0);
  const report = JSON.parse(result.stdout) as Report;
  const names = report.components.map((c) => c.name);
  for (const name of ['qemu-system-x86_64', 'qemu-img', 'xz', 'VBoxManage', 'vmrun', 'ssh', 'KVM device']) {
    t.true(names.includes(name), name);
  }
  t.false(names.includes('ovftool'), 'no check for a tool atomlab never runs (the ESXi import goes through the vSphere API)');
  t.true(names.some((n) => n.startsWith('libvirt library')));
  t.true(names.some((n) => n.startsWith('libvirt daemon')));
  t.is(report.host.node, process.version);
  const qemuImg = report.components.find((c) => c.name === 'qemu-img')!;
  t.true(qemuImg.found, 'scripts/setup-host installs qemu-utils');
  t.regex(qemuImg.version ?? '', /^\d+\.\d+/);
});

test('doctor exits 0 and says what to install when nothing is on PATH', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'atomlab-path-'));
  const result = await runCli(['doctor', '--json'], { env: { PATH: empty } });
  t.is(result.exitCode, 0);
  const report = JSON.parse(result.stdout) as Report;
  const qemu = report.components.find((c) => c.name === 'qemu-system-x86_64')!;
  t.false(qemu.found);
  t.is(qemu.package, 'qemu-system-x86');
  t.regex(qemu.install ?? '', /apt-get install qemu-system-x86/);
  const vmrun = report.components.find((c) => c.name === 'vmrun')!;
  t.regex(vmrun.install ?? '', /VMware/);
});

test('doctor prints a table for people', async (t) => {
  const result = await runCli(['doctor']);
  t.is(result.exitCode, 0);
  t.regex(result.stdout, /^status +component +version +notes$/m);
  t.regex(result.stdout, /^ok +qemu-img +\d+\.\d+/m);
});
