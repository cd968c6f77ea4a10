import { setTimeout as sleep } from 'node:timers/promises';
import type { Instance } from '@aws-sdk/client-ec2';
import { AtomlabError } from '../../lab/errors/index.js';
import type { Ec2Client, Tags } from './ec2-client.js';
import { labTags, TAG_INSTANCE } from './lab-resources.js';
import { rootDevice, swapRootVolume } from './root-swap.js';

/** The tag that names a VM snapshot (the name given to `atomlab snapshot`). */
export const TAG_SNAPSHOT = 'atomlab:snapshot';
const TAG_VM = 'atomlab:vm';
/** On a root volume made by revert: the snapshot it was made from. */
export const TAG_REVERTED = 'atomlab:reverted-to';

export interface VmSnapshotTarget {
  client: Ec2Client;
  vm: string;
  instanceId: string;
  labTag: string;
  pollMs?: number;
  signal?: AbortSignal;
}

/** The tags of a VM's named snapshot: the lab's (so `down` removes it), the VM's and the name. */
function snapshotTags(target: VmSnapshotTarget, name?: string): Tags {
  return { ...labTags(target.labTag), [TAG_VM]: target.vm, ...(name === undefined ? {} : { [TAG_SNAPSHOT]: name }) };
}

/** The EBS volume the instance boots from. */
function rootVolume(instance: Instance, vm: string): string {
  const { volumeId } = rootDevice(instance);
  if (!volumeId) throw new AtomlabError(`${vm}: instance ${instance.InstanceId} has no EBS root volume to snapshot`, { code: 'FAILED', context: { vm, provider: 'ec2' } });
  return volumeId;
}

/**
 * CreateSnapshot of the root volume, tagged with the lab, the VM and the name. Disk only (EC2
 * keeps no memory); crash-consistent while the instance runs. A name already taken is refused.
 */
export async function snapshotVm(target: VmSnapshotTarget, name: string): Promise<string> {
  const { client, vm } = target;
  if ((await client.snapshots(snapshotTags(target, name))).length > 0) {
    throw new AtomlabError(`${vm} already has a snapshot named ${name}`, { code: 'BAD_INPUT', context: { vm, provider: 'ec2' }, hint: `pick another name, or delete it first` });
  }
  const [instance] = await client.instances({ ids: [target.instanceId] });
  if (!instance) throw new AtomlabError(`${vm}: instance ${target.instanceId} is gone`, { code: 'FAILED', context: { vm, provider: 'ec2' } });
  return client.createSnapshot({ volumeId: rootVolume(instance, vm), description: `atomlab ${target.labTag} ${vm} ${name}`, tags: { ...snapshotTags(target, name), [TAG_INSTANCE]: target.instanceId } });
}

/** The names of the VM's snapshots, oldest first as EC2 lists them. */
export async function vmSnapshotNames(target: VmSnapshotTarget): Promise<string[]> {
  const found = await target.client.snapshots(snapshotTags(target));
  return found.map((snapshot) => snapshot.tags[TAG_SNAPSHOT]).filter((name): name is string => Boolean(name));
}

export async function deleteVmSnapshot(target: VmSnapshotTarget, name: string): Promise<void> {
  const found = await target.client.snapshots(snapshotTags(target, name));
  if (found.length === 0) throw new AtomlabError(`${target.vm} has no snapshot named ${name}`, { code: 'BAD_INPUT', context: { vm: target.vm, provider: 'ec2' } });
  for (const snapshot of found) await target.client.deleteSnapshot(snapshot.id);
}

/** The named snapshot's id, once EBS has finished writing it (a volume is made only from a completed snapshot). */
async function completedSnapshot(target: VmSnapshotTarget, name: string): Promise<string> {
  for (let waited = 0; ; waited += target.pollMs ?? 3000) {
    const [found] = await target.client.snapshots(snapshotTags(target, name));
    if (!found) throw new AtomlabError(`${target.vm} has no snapshot named ${name}`, { code: 'BAD_INPUT', context: { vm: target.vm, provider: 'ec2' }, hint: 'atomlab snapshot VM NAME takes one' });
    if (found.state === 'completed') return found.id;
    if (found.state === 'error' || waited > 60 * 60_000) throw new AtomlabError(`${target.vm}: snapshot ${name} (${found.id}) is ${found.state}`, { code: 'FAILED', context: { vm: target.vm, provider: 'ec2', snapshotId: found.id } });
    await sleep(target.pollMs ?? 3000, undefined, { signal: target.signal });
  }
}

/**
 * Back to a named snapshot by swapping the root volume (root-swap.ts: stop, CreateVolume from
 * the snapshot, detach the old root, attach the new one, start when it ran before, delete the
 * old root). CreateReplaceRootVolumeTask would do the same in one call, but moto, which these
 * tests run against, does not implement it, so atomlab makes only the calls it has tested.
 * The new volume carries the lab's tags from its creation: `down` removes it after a crash.
 */
export async function revertVm(target: VmSnapshotTarget, name: string): Promise<string> {
  const snapshotId = await completedSnapshot(target, name);
  const tags = { ...snapshotTags(target), Name: `${target.vm} from ${name}`, [TAG_REVERTED]: name };
  return swapRootVolume({ client: target.client, vm: target.vm, instanceId: target.instanceId, snapshotId, tags, pollMs: target.pollMs, signal: target.signal });
}
