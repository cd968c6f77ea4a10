import type { Instance } from '@aws-sdk/client-ec2';
import { AtomlabError } from '../../lab/errors/index.js';
import type { Ec2Client, Tags } from './ec2-client.js';
import { labTags } from './lab-resources.js';

/** The tag that names a VM snapshot (the name given to `atomlab snapshot`). */
export const TAG_SNAPSHOT = 'atomlab:snapshot';
const TAG_VM = 'atomlab:vm';

export interface VmSnapshotTarget {
  client: Ec2Client;
  vm: string;
  instanceId: string;
  labTag: string;
}

/** The tags of a VM's named snapshot: the lab's (so `down` removes it), the VM's and the name. */
function snapshotTags(target: VmSnapshotTarget, name?: string): Tags {
  return { ...labTags(target.labTag), [TAG_VM]: target.vm, ...(name === undefined ? {} : { [TAG_SNAPSHOT]: name }) };
}

/** The EBS volume the instance boots from (its root device's mapping; the only one when it has one). */
function rootVolume(instance: Instance, vm: string): string {
  const mappings = instance.BlockDeviceMappings ?? [];
  const root = mappings.find((mapping) => mapping.DeviceName === instance.RootDeviceName) ?? (mappings.length === 1 ? mappings[0] : undefined);
  const volumeId = root?.Ebs?.VolumeId;
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
  return client.createSnapshot({ volumeId: rootVolume(instance, vm), description: `atomlab ${target.labTag} ${vm} ${name}`, tags: snapshotTags(target, name) });
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

/**
 * Reverting means replacing the root volume with one made from the snapshot
 * (CreateReplaceRootVolumeTask). moto, the emulator these tests run against, does not implement
 * that call, so atomlab does not make it untested: revert is refused, saying so.
 */
export async function revertVm(target: VmSnapshotTarget, name: string): Promise<never> {
  const names = await vmSnapshotNames(target);
  const which = names.includes(name) ? `snapshot ${name} exists` : `and ${target.vm} has no snapshot named ${name}`;
  throw new AtomlabError(`ec2 cannot revert ${target.vm} yet: reverting needs CreateReplaceRootVolumeTask, which atomlab does not call (${which})`, {
    code: 'BAD_INPUT',
    context: { vm: target.vm, provider: 'ec2' },
    hint: 'EC2 snapshots here are taken, listed and deleted; to go back, replace the root volume in the EC2 console (Replace root volume, from the snapshot), or use qemu or libvirt for revert steps',
  });
}
