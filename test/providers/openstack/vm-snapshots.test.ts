import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { generateKeyPair } from '../../../lab/cidata/index.js';
import { AtomlabError } from '../../../lab/errors/index.js';
import type { LabResource, VmRef } from '../../../lab/provider/index.js';
import { resolveOpenstackOptions } from '../../../providers/openstack/options.js';
import { OpenstackProvider, type OpenstackVmData } from '../../../providers/openstack/provider.js';
import { cloudInitConsole } from '../../fixtures/clouds/cloud-init-console.js';
import { startRealOpenstack, type RealOpenstack } from '../../fixtures/clouds/openstack-real-lab.js';
import { openstackServicesMissing } from '../../fixtures/clouds/openstack-services.js';
import { vmPlan } from '../../fixtures/libvirt/vm-plan.js';
import { labDir } from '../../helpers/lab.js';
import { BIN, runCli } from '../../helpers/run-cli.js';

/**
 * Snapshots judged by real Glance: Debian's Keystone and Glance on 127.0.0.1, and the recorded
 * Nova, whose createImage makes the image in that Glance and uploads the server's disk into it
 * (as Nova's compute host does), and whose rebuild reads an image's bytes back from it.
 */
const missing = await openstackServicesMissing();
let os: RealOpenstack;

test.before(async () => {
  if (!missing) os = await startRealOpenstack();
});
test.beforeEach(() => {
  if (os) os.glanceProxy.rules.length = 0;
});
test.after.always(async () => {
  await os?.close();
});

const hostKey = generateKeyPair('root@vm1');
const userData = `#cloud-config\n${stringify({ hostname: 'vm1', ssh_keys: { ed25519_private: hostKey.privateKey, ed25519_public: hostKey.publicKey } })}`;
const lab = (name: string) => ({ name, stateDir: `/tmp/${name}/.atomlab` });

async function provider(): Promise<OpenstackProvider> {
  return new OpenstackProvider({ ...resolveOpenstackOptions({ cloud: 'real', sshFrom: '198.51.100.7/32', floatingNetwork: 'public' }), env: os.env, pollMs: 10, uploadsDir: await mkdtemp(join(tmpdir(), 'atomlab-uploads-')) });
}

/** A lab with one server built from a small qcow2-labelled image uploaded to the real Glance. */
async function labUp(name: string): Promise<{ cloud: OpenstackProvider; ref: VmRef; resources: LabResource[]; serverId: string }> {
  const cloud = await provider();
  const resources: LabResource[] = [];
  const plan = vmPlan({ lab: name, name: 'vm1', provider: { name: 'openstack', options: {} }, seed: 'userdata', cpus: 1, memoryMiB: 1024 });
  await cloud.prepareLab({ ...lab(name), publicKey: generateKeyPair('lab').publicKey, vms: [plan] }, async (r) => void resources.push(r));
  const data = randomBytes(192 * 1024);
  const path = join(await mkdtemp(join(tmpdir(), 'atomlab-base-')), 'disk.qcow2');
  await writeFile(path, data);
  const base = { path, format: 'qcow2' as const, digest: createHash('sha256').update(data).digest('hex'), virtualBytes: 2 * 1024 ** 3 };
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-vm-'));
  const ref = await cloud.create({ plan, dir, consoleLog: join(dir, 'console.log'), base, seed: { kind: 'userdata', transport: 'userdata', text: userData }, labResources: resources });
  await cloud.start(ref);
  return { cloud, ref, resources, serverId: (ref.data as unknown as OpenstackVmData).serverId };
}

const server = (id: string) => os.cloud.servers.get(id)!;
const sha512 = (bytes: Buffer) => createHash('sha512').update(bytes).digest('hex');

async function glanceImage(id: string): Promise<Record<string, unknown> | undefined> {
  const response = await os.glance('GET', `/images/${id}`);
  return response.status === 404 ? undefined : ((await response.json()) as Record<string, unknown>);
}

/** Every image in the real Glance carrying this lab's tag. */
async function taggedImages(tag: string): Promise<Record<string, unknown>[]> {
  const response = await os.glance('GET', `/images?${new URLSearchParams({ atomlab_lab: tag }).toString()}`);
  return ((await response.json()) as { images: Record<string, unknown>[] }).images;
}

test.serial('snapshot is a Glance image of the server\'s disk, tagged with the lab; revert rebuilds the same server from it; list and delete', async (t) => {
  if (missing) return t.pass(missing);
  const { cloud, ref, resources, serverId } = await labUp('snaps');
  const data = ref.data as unknown as OpenstackVmData;
  const before = { ...server(serverId), disk: Buffer.from('disk as the guest left it: state A') };
  server(serverId).disk = before.disk;
  await cloud.snapshot(ref, 'clean');
  t.deepEqual(await cloud.listSnapshots(ref), ['clean']);
  const [image] = await taggedImages(data.labTag);
  t.is(image?.status, 'active', 'the real Glance has it active');
  t.is(image?.os_hash_value, sha512(before.disk), 'Glance hashed the server\'s disk bytes');
  t.like(image, { atomlab: 'snapshot', atomlab_vm: 'vm1', atomlab_snapshot: 'clean', image_type: 'snapshot', instance_uuid: serverId, visibility: 'private', name: `atomlab-${data.labTag.replace('.', '-')}-vm1-clean` });
  t.is(typeof image?.atomlab_digest, 'string', 'Nova copied the base image\'s properties (its digest too)');
  const journal = JSON.parse(await readFile(join(data.dir!, 'openstack-snapshots.json'), 'utf8')) as { name: string; imageId: string }[];
  t.deepEqual(journal.map((entry) => [entry.name, entry.imageId]), [['clean', image!.id]], 'recorded in the VM\'s journal');
  t.true(os.cloud.actions.includes('createImage@2.45'), 'createImage at microversion 2.45 (answers {image_id})');
  await t.throwsAsync(cloud.snapshot(ref, 'clean'), { instanceOf: AtomlabError, message: 'vm1 already has a snapshot named clean' });

  server(serverId).disk = Buffer.from('the guest changed things: state B');
  const endpoint = await cloud.endpoint(ref);
  await cloud.revert(ref, 'clean');
  const after = server(serverId);
  t.deepEqual(after.disk, before.disk, 'the root disk is the snapshot\'s again');
  t.is(after.image, image!.id as string);
  t.like(after, { id: serverId, status: 'ACTIVE', address: before.address, userData: before.userData, configDrive: before.configDrive, metadata: before.metadata }, 'the same server, address, user-data and metadata');
  t.true(os.cloud.actions.includes('rebuild@2.1'));
  t.deepEqual(await cloud.endpoint(ref), endpoint, 'its floating IP is still there');
  t.regex(endpoint.host, /^127\.0\.2\.\d+$/);

  await cloud.stop(ref);
  server(serverId).disk = Buffer.from('state C');
  await cloud.revert(ref, 'clean');
  t.is(await cloud.state(ref), 'stopped', 'a stopped server is rebuilt and stays stopped');
  t.deepEqual(server(serverId).disk, before.disk);

  const error = await t.throwsAsync(cloud.revert(ref, 'nope'), { instanceOf: AtomlabError, message: 'vm1 has no snapshot named nope' });
  t.is(error.hint, 'its snapshots: clean');
  await cloud.deleteSnapshot(ref, 'clean');
  t.is(await glanceImage(image!.id as string), undefined, 'gone from the real Glance');
  t.deepEqual(await cloud.listSnapshots(ref), []);
  t.is(await readFile(join(data.dir!, 'openstack-snapshots.json'), 'utf8'), '[]\n');
  await cloud.destroy(ref);
  await cloud.teardownLab(lab('snaps'), resources);
  t.deepEqual(os.cloud.violations, [], 'every request passed the contract');
  t.deepEqual(os.cloud.backgroundErrors, []);
});

test.serial('status knows a snapshot by its server; down (also with the state lost) removes the lab\'s snapshot images by tag; down --images keeps them', async (t) => {
  if (missing) return t.pass(missing);
  const { cloud, ref, serverId } = await labUp('inventory');
  const tag = (ref.data as unknown as OpenstackVmData).labTag;
  await cloud.snapshot(ref, 'one');
  await cloud.snapshot(ref, 'two');
  const listed = (await cloud.labResources(lab('inventory'))).filter((r) => r.kind === 'snapshot');
  t.is(listed.length, 2);
  t.true(listed.every((r) => r.owner === serverId && r.state === 'active'), 'owned by the server: status counts them known while it is');
  t.false((await cloud.removeImages()).some((r) => listed.some((snapshot) => snapshot.id === r.id)), 'down --images removes uploaded images, not snapshots');
  t.is((await taggedImages(tag)).length, 2);
  const lost = await provider();
  const removed = await lost.removeLabResources(lab('inventory'));
  t.deepEqual(removed.filter((r) => r.kind === 'snapshot').map((r) => r.id).sort(), listed.map((r) => r.id).sort());
  t.deepEqual(await taggedImages(tag), [], 'no image in Glance carries the lab\'s tag');
  t.deepEqual(await lost.labResources(lab('inventory')), []);
  t.deepEqual(os.cloud.violations, []);
});

test.serial('a Nova older than 2.45 answers 406 to the microversion; createImage is asked again at 2.1 and its Location header names the image', async (t) => {
  if (missing) return t.pass(missing);
  const { cloud, ref } = await labUp('old-nova');
  os.cloud.maxMicroversion = 44;
  try {
    const before = os.cloud.actions.length;
    await cloud.snapshot(ref, 'pike');
    t.deepEqual(os.cloud.actions.slice(before).filter((action) => action.startsWith('createImage')), ['createImage@2.1']);
    const [image] = await taggedImages((ref.data as unknown as OpenstackVmData).labTag);
    t.like(image, { status: 'active', atomlab_snapshot: 'pike' });
  } finally {
    os.cloud.maxMicroversion = 96;
  }
  await cloud.removeLabResources(lab('old-nova'));
  t.deepEqual(os.cloud.violations, []);
});

test.serial('a server that goes to ERROR in the rebuild is a clear error with Nova\'s fault; reverting again recovers it; down removes it and its snapshot', async (t) => {
  if (missing) return t.pass(missing);
  const { cloud, ref } = await labUp('rebuild-error');
  await cloud.snapshot(ref, 'base');
  os.cloud.rebuildFaults.push('Build of instance aborted: Failed to allocate the network(s), not rescheduling.');
  const error = await t.throwsAsync(cloud.revert(ref, 'base'), { instanceOf: AtomlabError });
  t.regex(error.message, /^vm1: server [0-9a-f-]{36} went to ERROR: Build of instance aborted: Failed to allocate the network\(s\), not rescheduling\.$/);
  t.regex(error.hint ?? '', /^the snapshot's disk did not boot: openstack server event list [0-9a-f-]{36} shows why; atomlab revert vm1 base tries again/);
  t.is(await cloud.state(ref), 'crashed');
  await cloud.revert(ref, 'base');
  t.is(await cloud.state(ref), 'running', 'Nova rebuilds a server in ERROR: reverting again brings it back');
  await cloud.removeLabResources(lab('rebuild-error'));
  t.deepEqual(await taggedImages((ref.data as unknown as OpenstackVmData).labTag), []);
});

test.serial('a snapshot image that Glance shows killed is a clear error and is deleted; one Nova gave up on (it deletes the image) too', async (t) => {
  if (missing) return t.pass(missing);
  const { cloud, ref, serverId } = await labUp('killed-image');
  const tag = (ref.data as unknown as OpenstackVmData).labTag;
  os.cloud.holdSnapshots = true;
  os.glanceProxy.rules.push({ match: (seen) => /^GET \/v2\/images\/[0-9a-f-]{36}$/.test(seen.operation), action: { kind: 'rewrite', rewrite: (body) => JSON.stringify({ ...JSON.parse(body), status: 'killed' }) }, times: 1 });
  const killed = await t.throwsAsync(cloud.snapshot(ref, 'k'), { instanceOf: AtomlabError });
  os.cloud.holdSnapshots = false;
  while (server(serverId).taskState !== null) await sleep(20); // Nova's upload into the deleted image fails; its task ends
  t.regex(killed.message, /^vm1: snapshot k \(image [0-9a-f-]{36}\) went to killed in Glance \(deleted now\)$/);
  t.regex(killed.hint ?? '', /openstack server event list .* then run the snapshot again/);
  os.cloud.snapshotFaults.push('upload failed');
  const failed = await t.throwsAsync(cloud.snapshot(ref, 'f'), { instanceOf: AtomlabError });
  t.regex(failed.message, /^vm1: snapshot f \(image [0-9a-f-]{36}\) was deleted by Nova: its snapshot of the server failed$/);
  t.deepEqual(await taggedImages(tag), [], 'nothing left in Glance');
  t.deepEqual(await cloud.listSnapshots(ref), []);
  await cloud.removeLabResources(lab('killed-image'));
});

test.serial('revert refuses a console that shows another host key after the rebuild', async (t) => {
  if (missing) return t.pass(missing);
  const { cloud, ref } = await labUp('rebuild-impostor');
  await cloud.snapshot(ref, 's');
  const other = await cloudInitConsole([generateKeyPair('root@impostor').publicKey]);
  const realConsole = os.cloud.consoleOverride;
  os.cloud.consoleOverride = other;
  try {
    await t.throwsAsync(cloud.revert(ref, 's'), { instanceOf: AtomlabError, message: /vm1: the console shows host keys that are not the one atomlab gave it/ });
  } finally {
    os.cloud.consoleOverride = realConsole;
  }
  await cloud.removeLabResources(lab('rebuild-impostor'));
});

test.serial('down after a SIGKILLed atomlab snapshot (Nova still uploading) leaves no image tagged with the lab; status counts the snapshot as the server\'s', async (t) => {
  if (missing) return t.pass(missing);
  t.timeout(6 * 60_000);
  const scenario = ['name: killsnap', 'defaults:', '  provider: {name: openstack, cloud: real, sshFrom: 198.51.100.7/32, floatingNetwork: public}', '  image: {path: disk.qcow2, format: qcow2, verify: false, user: debian}', 'vms:', '  - name: host1', '    bootTimeout: 10s', ''].join('\n');
  const { dir, file } = await labDir(scenario);
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'disk.qcow2'), '64M']);
  const env = { ...process.env, ...os.env } as Record<string, string>;
  const up = await runCli(['up', '--yes', file], { env, timeoutMs: 180_000 });
  t.regex(up.stderr, /host1: ready \(ssh debian@127\.0\.2\.\d+ -p 22\)/, 'up got as far as SSH (no guest answers in the recorded cloud)');
  const made = [...os.cloud.servers.values()].find((s) => s.name.startsWith('atomlab-killsnap-'))!;
  const tag = made.metadata['atomlab:lab']!;
  os.cloud.holdSnapshots = true;
  try {
    const snapshot = execa(process.execPath, [BIN, 'snapshot', 'host1', 'before-upgrade', '-s', file], { env, reject: false });
    while ((await taggedImages(tag)).length === 0 && snapshot.exitCode === null) await sleep(100);
    t.deepEqual((await taggedImages(tag)).map((image) => image.status), ['queued'], 'Nova made the image; its upload is under way');
    snapshot.kill('SIGKILL');
    t.is((await snapshot).signal, 'SIGKILL');
    const status = await runCli(['status', '--json', file], { env, timeoutMs: 120_000 });
    t.is((JSON.parse(status.stdout) as { untracked?: unknown }).untracked, undefined, `the snapshot belongs to a server the state knows: ${status.stdout}`);
    const down = await runCli(['down', file], { env, timeoutMs: 180_000 });
    t.is(down.exitCode, 0, down.stderr);
  } finally {
    os.cloud.holdSnapshots = false;
  }
  t.deepEqual(await taggedImages(tag), [], 'no image in the real Glance carries the lab\'s tag');
  t.false([...os.cloud.servers.values()].some((s) => s.name.startsWith('atomlab-killsnap-')));
  t.deepEqual(os.cloud.violations, []);
});
