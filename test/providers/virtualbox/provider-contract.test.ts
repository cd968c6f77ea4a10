import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AtomlabError } from '../../../lab/errors/index.js';
import type { VmPlan } from '../../../lab/plan/index.js';
import type { CreateRequest, VmRef } from '../../../lab/provider/index.js';
import { loadScenario } from '../../../lab/scenario/index.js';
import { providers } from '../../../providers/registry.js';
import { VirtualboxProvider } from '../../../providers/virtualbox/index.js';
import type { Generation } from '../../fixtures/virtualbox/fake-vbox-contract.js';
import { makeFakeVbox, type FakeVbox } from '../../fixtures/virtualbox/fake-vbox.js';
import { createRequest } from '../../fixtures/libvirt/create-request.js';
import { vmPlan } from '../../fixtures/libvirt/vm-plan.js';

/**
 * The recorded contract, provider side: every command line the provider issues, word for word,
 * per VirtualBox generation, and its reaction to each recorded VBoxManage error. The fake runs
 * no guest here (FAKE_VBOX_QEMU=0): test/providers/virtualbox/guest.test.ts runs one.
 */
interface Rig {
  fake: FakeVbox;
  dir: string;
  base: string;
  logs: string[];
  provider: VirtualboxProvider;
  /** What the engine would hand `create` for this plan (a VDI base, a NoCloud ISO seed). */
  request(plan: VmPlan, dir?: string): Promise<CreateRequest>;
  cleanup(): Promise<void>;
}

async function rig(version: Generation, options: { startAttempts?: number } = {}): Promise<Rig> {
  const fake = await makeFakeVbox({ version });
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-vbox-lab-'));
  const base = join(dir, 'base.vdi');
  execFileSync('qemu-img', ['create', '-q', '-f', 'vdi', base, '64M']);
  await writeFile(join(dir, 'seed.iso'), 'not read by the fake without QEMU');
  const logs: string[] = [];
  const provider = new VirtualboxProvider({ vboxmanage: fake.command, listen: '127.0.0.1', startAttempts: options.startAttempts ?? 3 }, { log: (line) => logs.push(line) });
  return {
    fake, dir, base, logs, provider,
    request: (plan, name = plan.name) => createRequest(plan, { dir: join(dir, name), base, seedIso: join(dir, 'seed.iso'), consoleLog: join(dir, name, 'console.log') }),
    cleanup: async () => { await fake.cleanup(); await rm(dir, { recursive: true, force: true }); },
  };
}

const NAMES: Record<Generation, { natpf: string; nicType: string; uartMode: string; rtc: string; audioHda: string[]; localhost: string[]; createExtra: string[] }> = {
  '6.1': { natpf: '--natpf1', nicType: '--nictype1', uartMode: '--uartmode1', rtc: '--rtcuseutc', audioHda: ['--audio', 'null', '--audiocontroller', 'hda'], localhost: [], createExtra: [] },
  '7.0': { natpf: '--nat-pf1', nicType: '--nic-type1', uartMode: '--uart-mode1', rtc: '--rtc-use-utc', audioHda: ['--audio-enabled', 'on', '--audio-driver', 'null', '--audio-controller', 'hda'], localhost: ['--nat-localhostreachable1', 'on'], createExtra: [] },
  '7.1': { natpf: '--nat-pf1', nicType: '--nic-type1', uartMode: '--uart-mode1', rtc: '--rtc-use-utc', audioHda: ['--audio-enabled', 'on', '--audio-driver', 'null', '--audio-controller', 'hda'], localhost: ['--nat-localhostreachable1', 'on'], createExtra: ['--platform-architecture', 'x86'] },
};

for (const version of ['6.1', '7.0', '7.1'] as const) {
  test(`${version}: create, start, endpoint, stop and destroy issue the contract's command lines in order`, async (t) => {
    const r = await rig(version);
    t.teardown(r.cleanup);
    const plan = vmPlan({ name: 'vm1', cpus: 2, memoryMiB: 300, diskBytes: 128 * 1024 * 1024, hardware: { sound: 'ich6', firmware: 'uefi' }, ports: [{ guest: 9090, protocol: 'tcp', host: 'auto' }] });
    const ws = await r.request(plan);
    const vm = await r.provider.create(ws);
    await r.provider.start(vm);
    const ssh = await r.provider.endpoint(vm);
    const [web] = await r.provider.forwardedPorts(vm);
    const uuid = vm.data.uuid as string;
    const n = NAMES[version];
    const disk = join(ws.dir, 'disk.vdi');
    t.deepEqual(await r.fake.calls(), [
      ['showvminfo', 'atomlab-test-lab-vm1', '--machinereadable'],
      ['--version'],
      ['createvm', '--name', 'atomlab-test-lab-vm1', '--basefolder', ws.dir, ...n.createExtra, '--ostype', 'Linux_64', '--register'],
      ['modifyvm', uuid, '--memory', '300', '--cpus', '2', '--firmware', 'efi', '--boot1', 'disk', '--boot2', 'dvd', '--boot3', 'none', '--boot4', 'none', n.rtc, 'on',
        '--nic1', 'nat', n.nicType, 'virtio', ...n.localhost, '--uart1', '0x3F8', '4', n.uartMode, 'file', ws.consoleLog, ...n.audioHda],
      ['modifyvm', uuid, n.natpf, `ssh,tcp,127.0.0.1,${ssh.port},,22`, n.natpf, `tcp-9090,tcp,127.0.0.1,${web!.host.port},,9090`],
      ['storagectl', uuid, '--name', 'SATA', '--add', 'sata', '--controller', 'IntelAhci', '--portcount', '2'],
      ['list', 'hdds'],
      ['modifymedium', 'disk', r.base, '--type', 'multiattach'],
      ['createmedium', 'disk', '--filename', disk, '--diffparent', r.base, '--format', 'VDI'],
      ['modifymedium', 'disk', disk, '--resizebyte', String(128 * 1024 * 1024)],
      ['storageattach', uuid, '--storagectl', 'SATA', '--port', '0', '--device', '0', '--type', 'hdd', '--medium', disk],
      ['storageattach', uuid, '--storagectl', 'SATA', '--port', '1', '--device', '0', '--type', 'dvddrive', '--medium', r.dir + '/seed.iso'],
      ['startvm', uuid, '--type', 'headless'],
      ['showvminfo', uuid, '--machinereadable'],
      ['showvminfo', uuid, '--machinereadable'],
    ]);
    t.deepEqual(ssh.host, '127.0.0.1');
    t.like(web, { guest: 9090, protocol: 'tcp' });
    t.is(await r.provider.state(vm), 'running');
    await r.provider.stop(vm, { timeoutMs: 30_000 });
    t.is(await r.provider.state(vm), 'stopped');
    const before = (await r.fake.calls()).length;
    await r.provider.destroy(vm);
    t.deepEqual((await r.fake.calls()).slice(before), [['showvminfo', uuid, '--machinereadable'], ['unregistervm', uuid, '--delete']]);
    await t.throwsAsync(stat(disk), undefined, 'the differencing disk is gone');
    t.truthy(await stat(r.base), 'the base stays for the next lab');
    t.true(Object.values(r.fake.state().media).some((m) => m.path === r.base && m.type === 'multiattach'), 'and stays registered');
    t.is(await r.provider.state(vm), 'missing');
    await r.provider.destroy(vm);
    t.deepEqual(await r.fake.violations(), []);
  });
}

async function upVm(r: Rig, name = 'vm1', ports = vmPlan().ports): Promise<VmRef> {
  const vm = await r.provider.create(await r.request(vmPlan({ name, ports })));
  await r.provider.start(vm);
  return vm;
}

const tail = async (r: Rig, from: number) => (await r.fake.calls()).slice(from);

test('stop asks politely (ACPI power button), and force powers off', async (t) => {
  const r = await rig('7.0');
  t.teardown(r.cleanup);
  const vm = await upVm(r);
  const uuid = vm.data.uuid as string;
  let from = (await r.fake.calls()).length;
  await r.provider.stop(vm);
  t.deepEqual(await tail(r, from), [['showvminfo', uuid, '--machinereadable'], ['controlvm', uuid, 'acpipowerbutton'], ['showvminfo', uuid, '--machinereadable']]);
  await r.provider.start(vm);
  from = (await r.fake.calls()).length;
  await r.provider.stop(vm, { force: true });
  t.deepEqual(await tail(r, from), [['showvminfo', uuid, '--machinereadable'], ['controlvm', uuid, 'poweroff']]);
  await r.provider.start(vm);
  from = (await r.fake.calls()).length;
  await r.provider.reset!(vm);
  t.deepEqual(await tail(r, from), [['controlvm', uuid, 'reset']]);
  t.deepEqual(await r.fake.violations(), []);
});

test('snapshots: take, list, revert (power off, restore, start again), delete', async (t) => {
  const r = await rig('7.1');
  t.teardown(r.cleanup);
  const vm = await upVm(r);
  const uuid = vm.data.uuid as string;
  t.deepEqual(await r.provider.listSnapshots(vm), [], '"does not have any snapshots" is an empty list');
  const from = (await r.fake.calls()).length;
  await r.provider.snapshot(vm, 'clean');
  await r.provider.snapshot(vm, 'second');
  t.deepEqual(await r.provider.listSnapshots(vm), ['clean', 'second']);
  await r.provider.revert(vm, 'clean');
  await r.provider.deleteSnapshot(vm, 'second');
  t.deepEqual(await tail(r, from), [
    ['snapshot', uuid, 'take', 'clean'],
    ['snapshot', uuid, 'take', 'second'],
    ['snapshot', uuid, 'list', '--machinereadable'],
    ['snapshot', uuid, 'list', '--machinereadable'],
    ['showvminfo', uuid, '--machinereadable'],
    ['controlvm', uuid, 'poweroff'],
    ['snapshot', uuid, 'restore', 'clean'],
    ['startvm', uuid, '--type', 'headless'],
    ['snapshot', uuid, 'delete', 'second'],
  ]);
  t.is(await r.provider.state(vm), 'running');
  const error = await t.throwsAsync(r.provider.revert(vm, 'nope'), { instanceOf: AtomlabError });
  t.is(error.code, 'BAD_INPUT');
  t.deepEqual(await r.fake.violations(), []);
});

/** The VM plans `count:` makes from a scenario on provider virtualbox (the engine's own loader). */
async function classroomPlans(r: Rig, count: number): Promise<VmPlan[]> {
  const file = join(r.dir, 'atomlab.yaml');
  await writeFile(file, stringify({ name: 'test-lab', defaults: { provider: { name: 'virtualbox', vboxmanage: r.fake.command } }, vms: [{ name: 'student-{{n:02}}', count, image: { path: r.base } }] }));
  return (await loadScenario(file, { providers })).plan.vms;
}

test('classroom (count: 3): VMs created together register the shared base once and each get their own VM, differencing disk and port', async (t) => {
  const r = await rig('7.0');
  t.teardown(r.cleanup);
  const plans = await classroomPlans(r, 3);
  t.deepEqual(plans.map((plan) => `${plan.name} ${plan.provider.name}`), ['student-01 virtualbox', 'student-02 virtualbox', 'student-03 virtualbox']);
  const vms = await Promise.all(plans.map(async (plan) => r.provider.create(await r.request(plan))));
  const calls = await r.fake.calls();
  t.deepEqual(calls.filter((c) => c[0] === 'list' || c[0] === 'modifymedium'), [['list', 'hdds'], ['modifymedium', 'disk', r.base, '--type', 'multiattach']], 'the base registered once');
  for (const [i, vm] of vms.entries()) {
    const uuid = vm.data.uuid as string;
    const dir = join(r.dir, plans[i]!.name);
    t.deepEqual(calls.filter((c) => c[1] === uuid || c.includes(`atomlab-test-lab-${plans[i]!.name}`) || c.includes(join(dir, 'disk.vdi'))).map((c) => c.slice(0, 2).join(' ')), [
      `showvminfo atomlab-test-lab-${plans[i]!.name}`, 'createvm --name', `modifyvm ${uuid}`, `modifyvm ${uuid}`, `storagectl ${uuid}`,
      'createmedium disk', `storageattach ${uuid}`, `storageattach ${uuid}`,
    ], `${plans[i]!.name}: its own VM, on its own differencing disk`);
    t.true(calls.some((c) => c[0] === 'createmedium' && c[3] === join(dir, 'disk.vdi') && c[5] === r.base));
  }
  await Promise.all(vms.map((vm) => r.provider.start(vm)));
  const ports = await Promise.all(vms.map(async (vm) => (await r.provider.endpoint(vm)).port));
  t.is(new Set(ports).size, 3);
  await Promise.all(vms.map((vm) => r.provider.destroy(vm)));
  t.deepEqual(Object.keys(r.fake.state().vms), []);
  t.deepEqual(await r.fake.violations(), []);
});

test('a VM locked by another session: retried, then an AtomlabError with the command, exit code and stderr', async (t) => {
  const r = await rig('7.0');
  t.teardown(r.cleanup);
  await r.fake.fault({ command: 'modifyvm', error: 'locked', times: 1 });
  const vm = await upVm(r);
  t.is((await r.fake.calls()).filter((c) => c[0] === 'modifyvm').length, 3, 'the locked modifyvm ran again');
  await r.provider.stop(vm, { force: true });
  await r.fake.fault({ command: 'startvm', error: 'locked', times: 10 });
  const error = await t.throwsAsync(r.provider.start(vm), { instanceOf: AtomlabError });
  t.is((await r.fake.calls()).filter((c) => c[0] === 'startvm').length, 1 + 4, 'first start, then the failing one and its 3 retries');
  t.regex(error.message, /VBoxManage startvm failed \(exit 1\): The machine '.*' is already locked/);
  t.like(error.context, { provider: 'virtualbox', exitCode: 1, vboxFailure: 'locked' });
  t.is(error.context.command, `${r.fake.command} startvm ${vm.data.uuid as string} --type headless`);
  t.regex(error.context.stderrTail ?? '', /VBOX_E_INVALID_OBJECT_STATE/);
});

async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

test('port in use at start: atomlab picks new ports for its own forwards and starts again', async (t) => {
  const r = await rig('6.1');
  t.teardown(r.cleanup);
  const vm = await r.provider.create(await r.request(vmPlan()));
  const before = await r.provider.endpoint(vm);
  const server = await occupy(before.port);
  t.teardown(() => server.close());
  await r.provider.start(vm);
  const after = await r.provider.endpoint(vm);
  t.not(after.port, before.port);
  const uuid = vm.data.uuid as string;
  const calls = await r.fake.calls();
  const i = calls.findIndex((c) => c[0] === 'startvm');
  t.deepEqual(calls.slice(i, i + 5), [
    ['startvm', uuid, '--type', 'headless'],
    ['showvminfo', uuid, '--machinereadable'],
    ['modifyvm', uuid, '--natpf1', 'delete', 'ssh'],
    ['modifyvm', uuid, '--natpf1', `ssh,tcp,127.0.0.1,${after.port},,22`],
    ['startvm', uuid, '--type', 'headless'],
  ]);
  t.true(r.logs.some((line) => /forwarded host port was taken/.test(line)));
  t.deepEqual(await r.fake.violations(), []);
});

test('port in use at start on a fixed host port: a clear error naming it', async (t) => {
  const r = await rig('7.0', { startAttempts: 2 });
  t.teardown(r.cleanup);
  const probe = await occupy(0);
  const fixed = (probe.address() as { port: number }).port;
  t.teardown(() => probe.close());
  const vm = await r.provider.create(await r.request(vmPlan({ ports: [{ guest: 80, protocol: 'tcp', host: fixed }] })));
  const error = await t.throwsAsync(r.provider.start(vm), { instanceOf: AtomlabError });
  t.regex(error.message, /a host port is in use/);
  t.regex(error.hint ?? '', new RegExp(`127\\.0\\.0\\.1:${fixed}`));
  t.regex(error.context.stderrTail ?? '', /VERR_NAT_REDIR_SETUP/);
  t.is((await r.fake.calls()).filter((c) => c[0] === 'startvm').length, 2);
});

test('an inaccessible VM: state says crashed with the reason, destroy unregisters it and removes its files', async (t) => {
  const r = await rig('7.0');
  t.teardown(r.cleanup);
  const vm = await r.provider.create(await r.request(vmPlan()));
  await r.fake.fault({ command: 'showvminfo', error: 'inaccessible', times: 1 });
  t.is(await r.provider.state(vm), 'crashed');
  t.true(r.logs.some((line) => /inaccessible \(Could not find file/.test(line)));
  const from = (await r.fake.calls()).length;
  await r.provider.destroy(vm);
  t.deepEqual(await tail(r, from), [['showvminfo', vm.data.uuid as string, '--machinereadable'], ['unregistervm', vm.data.uuid as string]]);
  await t.throwsAsync(stat(vm.data.disk as string));
  await t.throwsAsync(stat(vm.data.folder as string));
  t.is(await r.provider.state(vm), 'missing');
});

test('a VM that vanished (deleted in the VirtualBox GUI): missing, destroy is a no-op, endpoint says so', async (t) => {
  const r = await rig('7.0');
  t.teardown(r.cleanup);
  const vm = await upVm(r);
  await r.fake.fault({ command: 'showvminfo', error: 'vanish', times: 1 });
  t.is(await r.provider.state(vm), 'missing');
  const error = await t.throwsAsync(r.provider.endpoint(vm), { instanceOf: AtomlabError });
  t.is(error.code, 'NOT_FOUND');
  await t.notThrowsAsync(r.provider.destroy(vm));
});

test('a VM of the same name left by an interrupted run is removed before the name is reused', async (t) => {
  const r = await rig('7.0');
  t.teardown(r.cleanup);
  await upVm(r);
  const vm = await r.provider.create(await r.request(vmPlan(), 'vm1-again'));
  const calls = await r.fake.calls();
  t.deepEqual(calls.filter((c) => c[0] === 'controlvm' || c[0] === 'unregistervm'), [['controlvm', 'atomlab-test-lab-vm1', 'poweroff'], ['unregistervm', 'atomlab-test-lab-vm1', '--delete']]);
  t.deepEqual(Object.values(r.fake.state().vms).map((v) => v.uuid), [vm.data.uuid]);
  t.true(r.logs.some((line) => /left by an earlier interrupted run/.test(line)));
});

test('probe: version and option names; VBoxManage missing; the kernel driver missing', async (t) => {
  const r = await rig('7.1');
  t.teardown(r.cleanup);
  t.like(await r.provider.probe(), { available: true, version: '7.1.4r165100' });
  const missing = new VirtualboxProvider({ vboxmanage: join(r.dir, 'no-such-VBoxManage'), listen: '127.0.0.1', startAttempts: 1 });
  t.like(await missing.probe(), { available: false });
  t.regex((await missing.probe()).reason ?? '', /virtualbox\.org/);
  const noDriver = await makeFakeVbox({ version: '7.0', noDriver: true });
  t.teardown(noDriver.cleanup);
  const probe = await new VirtualboxProvider({ vboxmanage: noDriver.command, listen: '127.0.0.1', startAttempts: 1 }).probe();
  t.false(probe.available);
  t.regex(probe.reason ?? '', /vboxdrv kernel module is not loaded: run `sudo \/sbin\/vboxconfig`/);
});
