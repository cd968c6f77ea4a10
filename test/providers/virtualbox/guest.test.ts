import test from 'ava';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { buildRecipe } from '../../../lab/recipes/index.js';
import { labDir, processesMentioning } from '../../helpers/lab.js';
import { runCli } from '../../helpers/run-cli.js';
import { makeFakeVbox } from '../../fixtures/virtualbox/fake-vbox.js';
import { buildBox } from '../../fixtures/vagrant-boxes.js';

/**
 * What VirtualBox would run, run for real: one lab of three tiny guests brought up by `atomlab up`.
 *   vdi   : the tiny image converted to VDI by the provider's own code, on provider virtualbox
 *           (the recorded-contract VBoxManage, which boots the very disk chain and seed in QEMU);
 *   vbbox : a VirtualBox box (box.ovf + vmdk) built from tiny, on provider qemu;
 *   lvbox : a libvirt box (box.img) built from tiny, on provider virtualbox.
 * Each reaches a verified login (key, password, pinned host key, hostname, cloud-init done).
 * Opt-in until it has passed whole on a quiet machine: `npm run test:virtualbox-e2e`
 * (ATOMLAB_VIRTUALBOX_E2E=1); the contract tests run in npm test.
 */
const qemuImg = async (...args: string[]) => (await promisify(execFile)('qemu-img', args, { encoding: 'utf8' })).stdout;
const LONG = { timeoutMs: 20 * 60_000 };

const e2e = process.env.ATOMLAB_VIRTUALBOX_E2E === '1';

(e2e ? test : test.skip)('run (up, steps with snapshot/revert) → ssh → down on virtualbox (contract VBoxManage + QEMU), and boxes of both kinds boot', async (t) => {
  const fake = await makeFakeVbox({ version: '7.0', qemu: true });
  t.teardown(fake.cleanup);
  const tiny = await buildRecipe('tiny');
  const { dir, file } = await labDir('');
  await buildBox('virtualbox', tiny.path, join(dir, 'boxes'));
  await buildBox('libvirt-v2', tiny.path, join(dir, 'boxes'));
  const virtualbox = { name: 'virtualbox', vboxmanage: fake.command };
  await writeFile(file, stringify({
    name: 'vbox-e2e',
    defaults: { memory: '256MiB', login: { password: 'atomic' }, hardware: { sound: 'ich6' } },
    vms: [
      { name: 'vdi', image: 'tiny', provider: virtualbox },
      { name: 'vbbox', image: { box: 'boxes/virtualbox.box', provider: 'virtualbox', user: 'fedora' }, provider: 'qemu' },
      { name: 'lvbox', image: { box: 'boxes/libvirt-v2.box', provider: 'libvirt', user: 'fedora' }, provider: virtualbox },
    ],
    // snapshot and revert through VirtualBox's commands; revert verifies the login again
    steps: [
      { run: 'echo before > /var/tmp/marker && sync', on: 'vdi' },
      { snapshot: 'clean', on: 'vdi' },
      { run: 'echo after > /var/tmp/marker && sync', on: 'vdi' },
      { revert: 'clean', on: 'vdi' },
      { run: 'cat /var/tmp/marker', on: 'vdi', expect: { stdout: { contains: 'before', notContains: 'after' } } },
    ],
  }));
  t.teardown(async () => void (await runCli(['down', file], LONG))); // nothing left running when an assertion fails
  const run = await runCli(['run', file, '--json'], LONG);
  t.is(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
  const status = await runCli(['status', file, '--json'], LONG);
  const report = JSON.parse(status.stdout) as { vms: { name: string; provider: string; state: string; login: { verified: boolean; methods: string[] } }[] };
  for (const vm of report.vms) {
    t.true(vm.login.verified, `${vm.name} (${vm.provider}) reached a verified login`);
    t.deepEqual(vm.login.methods, ['key', 'password'], vm.name);
  }
  const ssh = (vm: string, command: string) => runCli(['ssh', vm, '-s', file, '--', command], LONG);
  t.is((await ssh('vdi', 'hostname')).stdout.trim(), 'vdi');
  t.is((await ssh('lvbox', 'cat /proc/cmdline')).exitCode, 0);

  // the disks VirtualBox would be given: the VDI base, and each VM's disk on it
  const state = fake.state();
  const base = Object.values(state.media).find((m) => !m.parent && m.path.endsWith('.vdi'));
  t.truthy(base, 'a VDI base is registered');
  t.regex(await qemuImg('check', base!.path), /No errors were found/);
  t.is((JSON.parse(await qemuImg('info', '--output=json', base!.path)) as { format: string }).format, 'vdi');
  const vdiVm = Object.values(state.vms).find((vm) => vm.name === 'atomlab-vbox-e2e-vdi')!;
  const disk = Object.entries(vdiVm.attachments).find(([slot]) => slot.endsWith(':hdd'))![1];
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
