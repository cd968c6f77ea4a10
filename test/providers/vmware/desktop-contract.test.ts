import test from 'ava';
import { execFileSync } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AtomlabError } from '../../../lab/errors/index.js';
import type { LabResource, VmRef } from '../../../lab/provider/index.js';
import { DesktopProvider } from '../../../providers/vmware/index.js';
import { vmwareOptions } from '../../../providers/vmware/options.js';
import { parseVmx } from '../../../providers/vmware/vmx.js';
import { vmxProblems } from '../../fixtures/fake-vmrun/contract.js';
import { installFakeVmrun, type FakeVmrun } from '../../fixtures/fake-vmrun.js';
import { createRequest, guestinfoKeys, vmdkBase, vmwarePlan } from '../../fixtures/vmware-request.js';

/**
 * Workstation/Player through vmrun, against the recorded contract: a fake vmrun that checks every
 * command line against vmrun's documented grammar, every .vmx it starts against the keys Packer
 * and Vagrant write (and its disk with qemu-img check), and answers with vmrun's recorded outputs.
 * No VMware runs here; the fake says so by being one.
 */

let fake: FakeVmrun;
const dirs: string[] = [];
test.before(async () => {
  fake = await installFakeVmrun();
});
test.after.always(async () => {
  await fake.cleanup();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
test.afterEach.always(() => {
  delete process.env.FAKE_VMRUN_FAULTS;
});

async function lab(target: 'workstation' | 'player', extra: Record<string, unknown> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-vmware-'));
  dirs.push(dir);
  const provider = new DesktopProvider({ ...vmwareOptions.parse({ target, vmrun: fake.binary, timeoutSeconds: 20, ...extra }), target });
  const resources: LabResource[] = [];
  await provider.prepareLab({ name: 'lab', stateDir: dir, publicKey: '', vms: [] }, async (resource) => void resources.push(resource));
  return { dir, provider, resources, base: vmdkBase(dir, 'monolithicSparse') };
}

async function seedIso(dir: string): Promise<string> {
  const path = join(dir, 'seed.iso');
  await writeFile(path, Buffer.alloc(32 * 1024));
  return path;
}

const vmxOf = async (ref: VmRef) => parseVmx(await readFile(ref.data.vmx as string, 'utf8'));
const exists = (path: string) => access(path).then(() => true, () => false);

test.serial('workstation: linked clones of one parent, the lab devices in the .vmx, and the whole life cycle within the grammar', async (t) => {
  const { dir, provider, resources, base } = await lab('workstation');
  const vmDir = join(dir, 'vm1');
  const iso = await seedIso(dir);
  const ref = await provider.create({ ...createRequest({ plan: vwPlan('vm1', 'ich9'), dir: vmDir, base, seed: { kind: 'drive', transport: 'configdrive', path: iso, filesystem: 'iso9660', label: 'config-2', attachAs: 'cdrom' } }), labResources: resources });
  const keys = guestinfoKeys('#cloud-config\n{}\n', '{}');
  const ref2 = await provider.create({ ...createRequest({ plan: vwPlan('vm2', 'none'), dir: join(dir, 'vm2'), base, seed: { kind: 'keys', transport: 'guestinfo', keys } }), labResources: resources });
  const vmx = await vmxOf(ref);
  t.deepEqual(vmxProblems(vmx), []);
  t.is(vmx.get('ide0:1.filename'), iso);
  t.is(vmx.get('serial0.filename'), join(vmDir, 'console.log'));
  t.is(vmx.get('sound.virtualdev'), 'hdaudio');
  t.is(vmx.get('ethernet0.connectiontype'), 'nat');
  const vmx2 = await vmxOf(ref2);
  t.is(vmx2.get('sound.present'), 'FALSE');
  t.false(vmx2.has('sound.virtualdev'));
  t.is(vmx2.get('ide0:1.present'), 'FALSE');
  for (const [key, value] of Object.entries(keys)) t.is(vmx2.get(key), value);
  const disk = resolve(dirname(ref.data.vmx as string), vmx.get('scsi0:0.filename') ?? '');
  t.regex(execFileSync('qemu-img', ['info', disk]).toString(), /backing file: .*vmware-parents.*parent\.vmdk/, 'a linked clone on the shared parent');
  t.notThrows(() => execFileSync('qemu-img', ['check', disk]));

  t.is(await provider.state(ref), 'stopped');
  await provider.start(ref);
  t.is(await provider.state(ref), 'running');
  t.deepEqual(await provider.endpoint(ref), { host: '192.168.171.128', port: 22 }, 'VMware Tools answer');
  process.env.FAKE_VMRUN_FAULTS = 'getGuestIPAddress=tools';
  process.env.FAKE_VMRUN_IP = '192.168.171.140';
  await provider.stop(ref, { force: true });
  await provider.start(ref);
  t.deepEqual(await provider.endpoint(ref), { host: '192.168.171.140', port: 22 }, 'no Tools: the address cloud-init printed on the serial console');
  delete process.env.FAKE_VMRUN_IP;
  await provider.snapshot(ref, 'clean');
  t.deepEqual(await provider.listSnapshots(ref), ['clean']);
  await provider.revert(ref, 'clean');
  await provider.deleteSnapshot(ref, 'clean');
  await provider.reset(ref);
  await provider.stop(ref);
  t.is(await provider.state(ref), 'stopped');
  await provider.destroy(ref);
  await provider.destroy(ref2);
  t.is(await provider.state(ref), 'missing');
  t.false(await exists(ref.data.folder as string));
  await provider.teardownLab({ name: 'lab', stateDir: dir }, resources);
  t.false(await exists(join(dir, 'vmware-parents')));
  t.deepEqual(await fake.problems(), [], 'every command line and .vmx within the contract');
  const commands = (await fake.calls()).map((argv) => `${argv[2]}`);
  t.true(commands.includes('clone') && commands.includes('snapshot'));
});

function vwPlan(name: string, sound: 'ich9' | 'none' | 'ac97' | 'es1370') {
  const plan = vmwarePlan({ name, hostname: name });
  return { ...plan, hardware: { ...plan.hardware, sound } };
}

test.serial('player: its own copy of the disk, no clone, no snapshots', async (t) => {
  const { dir, provider, resources, base } = await lab('player');
  t.deepEqual(resources, []);
  const ref = await provider.create({ ...createRequest({ plan: vwPlan('p1', 'ac97'), dir: join(dir, 'p1'), base, seed: { kind: 'drive', transport: 'nocloud', path: await seedIso(dir), filesystem: 'iso9660', label: 'cidata', attachAs: 'cdrom' } }), labResources: resources });
  const vmx = await vmxOf(ref);
  t.is(vmx.get('sound.virtualdev'), 'es1371');
  const disk = join(dirname(ref.data.vmx as string), vmx.get('scsi0:0.filename') ?? '');
  t.regex(execFileSync('qemu-img', ['info', disk]).toString(), /create type: monolithicSparse/);
  t.notRegex(execFileSync('qemu-img', ['info', disk]).toString(), /backing file/);
  await provider.start(ref);
  const snapshot = await t.throwsAsync(provider.snapshot(ref, 'x'), { instanceOf: AtomlabError });
  t.regex(snapshot?.message ?? '', /Player has no snapshots/);
  await provider.destroy(ref);
  t.false(await exists(ref.data.folder as string));
  t.false((await fake.calls()).some((argv) => argv[1] === 'player' && ['clone', 'snapshot'].includes(argv[2] ?? '')));
  t.deepEqual(await fake.problems(), []);
});

test.serial('vmrun failures: locked VM, a hanging soft stop, a missing vmrun, forwarded ports', async (t) => {
  const { dir, provider, resources, base } = await lab('workstation', { timeoutSeconds: 3 });
  const ref = await provider.create({ ...createRequest({ plan: vwPlan('f1', 'none'), dir: join(dir, 'f1'), base, seed: { kind: 'keys', transport: 'guestinfo', keys: {} } }), labResources: resources });
  process.env.FAKE_VMRUN_FAULTS = 'start=locked';
  const locked = await t.throwsAsync(provider.start(ref), { instanceOf: AtomlabError });
  t.regex(locked?.message ?? '', /Failed to lock the file/);
  t.regex(locked?.hint ?? '', /\.lck/);
  process.env.FAKE_VMRUN_FAULTS = 'stop:soft=hang';
  await provider.start(ref);
  await provider.stop(ref, { timeoutMs: 1000 });
  t.is(await provider.state(ref), 'stopped', 'the hard stop after the soft one hung');
  delete process.env.FAKE_VMRUN_FAULTS;
  const missing = new DesktopProvider({ ...vmwareOptions.parse({ target: 'player', vmrun: join(dir, 'no-vmrun') }), target: 'player' });
  const probe = await missing.probe();
  t.false(probe.available);
  t.regex(probe.reason ?? '', /vmrun not found/);
  const ports = await t.throwsAsync(provider.create(createRequest({ plan: { ...vwPlan('f2', 'none'), ports: [{ guest: 80, protocol: 'tcp', host: 8080 }] }, dir: join(dir, 'f2'), base, seed: { kind: 'keys', transport: 'guestinfo', keys: {} } })), { instanceOf: AtomlabError });
  t.regex(ports?.hint ?? '', /host-global/);
  await provider.destroy(ref);
  t.deepEqual(await fake.problems(), []);
});
