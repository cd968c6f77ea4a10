import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { buildRecipe } from '../../../lab/recipes/index.js';
import type { RunReport } from '../../../lab/steps/index.js';
import { labDir, processesMentioning } from '../../helpers/lab.js';
import { runCli } from '../../helpers/run-cli.js';
import { makeFakeVbox } from '../../fixtures/virtualbox/fake-vbox.js';
import { buildBox } from '../../fixtures/vagrant-boxes.js';

/**
 * What VirtualBox would run, run for real: one lab of two tiny guests brought up by `atomlab run`.
 *   lvbox : a libvirt box (box.img) built from tiny, on provider virtualbox: its disk converted to
 *           VDI by the provider's own code, booted by the recorded-contract VBoxManage in QEMU
 *           (the very VDI base, the VM's disk on it, the seed ISO), snapshot and revert through
 *           VirtualBox's commands;
 *   vbbox : a VirtualBox box (box.ovf + vmdk) built from tiny, on provider qemu.
 * Each reaches a verified login (key, password, pinned host key, hostname, cloud-init done), and
 * Debian's real vagrant (`vagrant box add`) accepts the very boxes that booted.
 */
const exec = promisify(execFile);
const qemuImg = async (...args: string[]) => (await exec('qemu-img', args, { encoding: 'utf8' })).stdout;
const LONG = { timeoutMs: 20 * 60_000 };

/** The judge: Debian's vagrant adds each box (to a throwaway VAGRANT_HOME) for the provider its metadata names. */
async function vagrantAccepts(t: ExecutionContext, boxes: Record<'libvirt' | 'virtualbox', string>): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'atomlab-vagrant-home-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const env = { ...process.env, VAGRANT_HOME: home, VAGRANT_CHECKPOINT_DISABLE: '1' };
  for (const [provider, box] of Object.entries(boxes)) {
    const { stdout } = await exec('vagrant', ['box', 'add', '--name', `atomlab/tiny-${provider}`, box], { env, timeout: 300_000 });
    t.regex(stdout, new RegExp(`Successfully added box 'atomlab/tiny-${provider}' .*for '${provider}'`));
  }
}

test('run (up, steps with snapshot/revert) → ssh → down on virtualbox from a libvirt box (contract VBoxManage + QEMU), a VirtualBox box on qemu; vagrant accepts both boxes', async (t) => {
  const fake = await makeFakeVbox({ version: '7.0', qemu: true });
  t.teardown(fake.cleanup);
  const tiny = await buildRecipe('tiny');
  const { dir, file } = await labDir('');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const boxes = { libvirt: await buildBox('libvirt-v2', tiny.path, join(dir, 'boxes')), virtualbox: await buildBox('virtualbox', tiny.path, join(dir, 'boxes')) };
  const judged = vagrantAccepts(t, boxes); // no VM: alongside the run
  await writeFile(file, stringify({
    name: 'vbox-e2e',
    defaults: { memory: '256MiB', login: { password: 'atomic' }, hardware: { sound: 'ich6' } },
    vms: [
      { name: 'lvbox', image: { box: 'boxes/libvirt-v2.box', provider: 'libvirt', user: 'fedora' }, provider: { name: 'virtualbox', vboxmanage: fake.command } },
      { name: 'vbbox', image: { box: 'boxes/virtualbox.box', provider: 'virtualbox', user: 'fedora' }, provider: 'qemu' },
    ],
    // snapshot and revert through VirtualBox's commands; revert verifies the login again
    steps: [
      { run: 'echo before > /var/tmp/marker && sync', on: 'lvbox' },
      { snapshot: 'clean', on: 'lvbox' },
      { run: 'echo after > /var/tmp/marker && sync', on: 'lvbox' },
      { revert: 'clean', on: 'lvbox' },
      { run: 'cat /var/tmp/marker', on: 'lvbox', expect: { stdout: { contains: 'before', notContains: 'after' } } },
    ],
  }));
  t.teardown(async () => void (await runCli(['down', file], LONG))); // nothing left running when an assertion fails
  const run = await runCli(['run', file, '--json'], LONG);
  t.is(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
  await judged;
  t.log((JSON.parse(run.stdout) as RunReport).results.map((r) => `${r.name}: ${r.status}`).join('; '));
  const status = await runCli(['status', file, '--json'], LONG);
  const report = JSON.parse(status.stdout) as { vms: { name: string; provider: string; login: { verified: boolean; methods: string[] } }[] };
  t.deepEqual(report.vms.map((vm) => `${vm.name} ${vm.provider}`).sort(), ['lvbox virtualbox', 'vbbox qemu']);
  for (const vm of report.vms) {
    t.true(vm.login.verified, `${vm.name} (${vm.provider}) reached a verified login`);
    t.deepEqual(vm.login.methods, ['key', 'password'], vm.name);
  }
  const ssh = (vm: string, command: string) => runCli(['ssh', vm, '-s', file, '--', command], LONG);
  t.is((await ssh('lvbox', 'hostname')).stdout.trim(), 'lvbox');
  t.is((await ssh('vbbox', 'hostname')).stdout.trim(), 'vbbox');

  // the disks VirtualBox would be given: the VDI base (the tiny image, converted), and the VM's disk on it
  const state = fake.state();
  const base = Object.values(state.media).find((m) => !m.parent && m.path.endsWith('.vdi'));
  t.truthy(base, 'a VDI base is registered');
  t.regex(await qemuImg('check', base!.path), /No errors were found/);
  t.is((JSON.parse(await qemuImg('info', '--output=json', base!.path)) as { format: string }).format, 'vdi');
  t.regex(await qemuImg('compare', '-f', 'qcow2', '-F', 'vdi', tiny.path, base!.path), /Images are identical/, 'the VDI base is the tiny image');
  const vm = Object.values(state.vms).find((one) => one.name === 'atomlab-vbox-e2e-lvbox')!;
  const disk = Object.entries(vm.attachments).find(([slot]) => slot.endsWith(':hdd'))![1];
  const chain = JSON.parse(await qemuImg('info', '-U', '--backing-chain', '--output=json', disk)) as { filename: string; format: string }[];
  t.deepEqual(chain.map((layer) => layer.format), ['qcow2', 'vdi'], 'the VM writes to its own disk on the shared VDI');

  const calls = await fake.calls();
  for (const command of ['createvm', 'createmedium', 'startvm', 'snapshot']) t.true(calls.some((c) => c[0] === command), command);
  t.true(calls.some((c) => c[0] === 'modifyvm' && c.includes('--nat-localhostreachable1')), '7.0: guests may reach lab servers on 10.0.2.2');

  const down = await runCli(['down', file], LONG);
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(Object.keys(fake.state().vms), [], 'every VM unregistered');
  t.true(Object.values(fake.state().media).some((m) => m.path === base!.path), 'the base stays registered for the next lab');
  t.deepEqual(await processesMentioning(fake.home), []);
  t.deepEqual(await processesMentioning(dir), []);
  t.deepEqual((await readdir(dir)).sort(), ['atomlab.yaml', 'boxes']);
  t.deepEqual(await fake.violations(), [], (await readFile(join(fake.home, 'violations.log'), 'utf8').catch(() => '')));
});
