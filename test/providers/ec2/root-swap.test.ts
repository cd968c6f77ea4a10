import test from 'ava';
import { execa } from 'execa';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VmRef } from '../../../lab/provider/index.js';
import { StateStore } from '../../../lab/state/index.js';
import { Ec2Client } from '../../../providers/ec2/ec2-client.js';
import { rootDevice } from '../../../providers/ec2/root-swap.js';
import { ec2LabUp, vmHostKey } from '../../fixtures/clouds/ec2-lab.js';
import { motoSession } from '../../fixtures/clouds/moto-session.js';
import { rawDiskCloudLab } from '../../helpers/cloud-lab.js';
import { BIN, runCli } from '../../helpers/run-cli.js';

const aws = await motoSession(test);
const { missing } = aws;

const place = () => ({ endpoint: aws.proxy.endpoint, profile: aws.profile });
/** Straight to moto: what the cloud holds, read without the proxy counting it. */
const moto = () => new Ec2Client({ region: 'us-east-1', profile: aws.profile, endpoint: aws.moto.endpoint });
const instanceId = (ref: VmRef) => (ref.data as { instanceId: string }).instanceId;

async function instance(ref: VmRef) {
  const [found] = await moto().instances({ ids: [instanceId(ref)] });
  return found!;
}

async function snapshotId(name: string): Promise<string> {
  const [found] = await moto().snapshots({ 'atomlab:snapshot': name });
  return found!.id;
}

/** The EC2 calls the proxy saw from `from` on, in order, without the polling ones. */
const callsSince = (from: number) => aws.proxy.seen.slice(from).map((seen) => seen.operation).filter((op) => !/^Describe/.test(op));

/** Everything carrying the lab's tag that still exists: instances not terminated, volumes, snapshots. */
async function labLeft(tag: string) {
  const tags = { 'atomlab:lab': tag };
  const instances = (await moto().instances({ tags })).filter((i) => i.State?.Name !== 'terminated').map((i) => i.InstanceId!);
  const volumes = (await moto().volumes({ tags })).map((v) => v.id);
  const snapshots = (await moto().snapshots(tags)).map((s) => s.id);
  return { instances, volumes, snapshots };
}

test.serial('revert swaps the root volume for one made from the snapshot, at the root device; the instance runs again; down leaves nothing', async (t) => {
  if (missing) return t.pass(missing);
  const { ec2, ref } = await ec2LabUp(place(), { name: 'swap1' });
  const before = rootDevice(await instance(ref));
  await ec2.snapshot(ref, 'clean');
  const from = aws.proxy.seen.length;
  await ec2.revert(ref, 'clean');
  t.deepEqual(callsSince(from), ['StopInstances', 'CreateVolume', 'DetachVolume', 'AttachVolume', 'ModifyInstanceAttribute', 'DeleteVolume', 'StartInstances']);
  const after = await instance(ref);
  const root = rootDevice(after);
  t.is(root.device, before.device, 'attached where the old root was');
  t.not(root.volumeId, before.volumeId, 'a new root volume');
  const [volume] = await moto().volumes({ ids: [root.volumeId ?? ''] });
  t.is(volume!.snapshotId, await snapshotId('clean'), 'made from that snapshot');
  t.is(volume!.zone, after.Placement?.AvailabilityZone ?? 'no zone shown');
  t.like(volume!.tags, { atomlab: 'lab', 'atomlab:vm': 'vm1', 'atomlab:reverted-to': 'clean' });
  t.true(volume!.tags['atomlab:lab']?.startsWith('swap1.'));
  t.true(after.BlockDeviceMappings?.find((m) => m.DeviceName === root.device)?.Ebs?.DeleteOnTermination, 'goes with the instance, as the first root did');
  t.deepEqual(await moto().volumes({ tags: { 'atomlab:lab': volume!.tags['atomlab:lab']! } }).then((all) => all.map((v) => v.id)), [root.volumeId], 'the old root is deleted');
  t.is(await ec2.state(ref), 'running');
  t.regex((await ec2.endpoint(ref)).host, /^\d+\.\d+\.\d+\.\d+$/, 'its address read again');
  await ec2.revert(ref, 'clean');
  t.not(rootDevice(await instance(ref)).volumeId, root.volumeId, 'reverting twice makes a fresh volume each time');
  const removed = await ec2.removeLabResources({ name: 'swap1', stateDir: '/tmp/swap1/.atomlab' });
  t.deepEqual(removed.map((r) => r.kind).sort(), ['instance', 'key-pair', 'security-group', 'snapshot']);
  t.deepEqual(await labLeft(volume!.tags['atomlab:lab']!), { instances: [], volumes: [], snapshots: [] });
});

test.serial('a stopped VM is reverted and stays stopped', async (t) => {
  if (missing) return t.pass(missing);
  const { ec2, ref } = await ec2LabUp(place(), { name: 'swap2' });
  await ec2.snapshot(ref, 'clean');
  await ec2.stop(ref);
  const before = rootDevice(await instance(ref)).volumeId;
  const from = aws.proxy.seen.length;
  await ec2.revert(ref, 'clean');
  t.deepEqual(callsSince(from), ['CreateVolume', 'DetachVolume', 'AttachVolume', 'ModifyInstanceAttribute', 'DeleteVolume']);
  t.not(rootDevice(await instance(ref)).volumeId, before);
  t.is(await ec2.state(ref), 'stopped');
  await ec2.removeLabResources({ name: 'swap2', stateDir: '/tmp/swap2/.atomlab' });
});

/**
 * The VM recorded in the lab's state as `up` records it (vm-pipeline's seed and machine stages),
 * so `atomlab snapshot`, `revert`, `status` and `down` find it: `up` itself cannot finish against
 * moto, whose instances never boot to a login.
 */
async function recordVm(stateDir: string, file: string, ref: VmRef, providerOptions: Record<string, unknown>): Promise<void> {
  const store = await StateStore.open(stateDir, ref.lab, file);
  const record = { name: ref.name, provider: 'ec2', providerOptions, ref, planHash: 'recorded-by-test', instanceId: 'iid-vm1', dir: join(stateDir, 'vms', ref.name), createdAt: new Date().toISOString(), hostKey: vmHostKey.publicKey };
  await store.update((state) => void (state.vms[ref.name] = record));
}

test.serial('atomlab snapshot and revert through the CLI; a revert SIGKILLed after its AttachVolume reached EC2: status lists the loose volume, down removes the instance, both volumes and the snapshot', async (t) => {
  if (missing) return t.pass(missing);
  t.timeout(8 * 60_000);
  const options = { region: 'us-east-1', endpoint: aws.proxy.endpoint, sshFrom: '198.51.100.7/32', instanceType: 't3.micro' };
  const lab = await rawDiskCloudLab('killrev', `{name: ec2, region: us-east-1, endpoint: "${aws.proxy.endpoint}", sshFrom: 198.51.100.7/32, instanceType: t3.micro}`);
  const stateDir = join(lab.dir, '.atomlab');
  const { ref } = await ec2LabUp(place(), { name: 'killrev', stateDir });
  await recordVm(stateDir, lab.file, ref, options);
  const cli = (...args: string[]) => runCli([...args, '-s', lab.file], { env: aws.env(), timeoutMs: 180_000 });
  const taken = await cli('snapshot', 'vm1', 'clean');
  t.is(taken.exitCode, 0, taken.stderr);
  t.regex(taken.stderr, /took snapshot clean of vm1/);
  const first = rootDevice(await instance(ref)).volumeId!;
  const reverted = await cli('revert', 'vm1', 'clean');
  t.is(reverted.exitCode, 0, reverted.stderr);
  t.regex(reverted.stderr, /reverted to clean of vm1/);
  const second = rootDevice(await instance(ref)).volumeId!;
  t.not(second, first);
  t.is((await moto().volumes({ ids: [second] }))[0]!.snapshotId, await snapshotId('clean'));

  aws.proxy.rules.push({ match: (seen) => seen.operation === 'AttachVolume', action: { kind: 'hold' }, times: 1 });
  const killed = execa(process.execPath, [BIN, 'revert', 'vm1', 'clean', '-s', lab.file], { env: aws.env(), reject: false });
  const attachedAnew = async () => (await moto().volumes({ tags: { 'atomlab:reverted-to': 'clean' } })).some((v) => v.id !== second && v.attachments.length > 0);
  while (!(await attachedAnew()) && killed.exitCode === null) await sleep(50);
  killed.kill('SIGKILL');
  const result = await killed;
  t.is(result.signal, 'SIGKILL', `${result.stdout}${result.stderr}`);
  const tag = (await moto().volumes({ ids: [second] }))[0]!.tags['atomlab:lab']!;
  const left = await labLeft(tag);
  t.is(left.instances.length, 1);
  t.is(left.volumes.length, 2, 'the old root, detached, and the new one, attached but never marked to go with the instance');
  t.is(left.snapshots.length, 1);
  const status = await runCli(['status', '--json', lab.file], { env: aws.env(), timeoutMs: 120_000 });
  const untracked = (JSON.parse(status.stdout) as { untracked?: { resources: { kind: string; id: string }[] }[] }).untracked ?? [];
  t.true(untracked.flatMap((report) => report.resources).some((r) => r.kind === 'volume' && r.id === second), status.stdout);
  t.false(untracked.flatMap((report) => report.resources).some((r) => r.kind === 'snapshot'), 'the snapshot is the recorded VM\'s, not untracked');
  const down = await runCli(['down', lab.file], { env: aws.env(), timeoutMs: 180_000 });
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(await labLeft(tag), { instances: [], volumes: [], snapshots: [] }, 'nothing tagged with the lab is left');
});
