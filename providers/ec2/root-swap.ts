import { setTimeout as sleep } from 'node:timers/promises';
import type { Instance } from '@aws-sdk/client-ec2';
import { AtomlabError } from '../../lab/errors/index.js';
import type { Ec2Client, Tags, Volume } from './ec2-client.js';
import { waitInstance } from './instances.js';

/**
 * Reverting an instance to a snapshot by swapping its root volume, the way it was done before
 * CreateReplaceRootVolumeTask existed and still works in every region and emulator: stop, a new
 * volume from the snapshot in the instance's zone, detach the old root, attach the new one at
 * the same device, start again, delete the old root. Every volume made is tagged with the lab at
 * creation (CreateVolume's TagSpecifications), so a revert killed half-way leaves nothing that
 * `down`, which removes the lab's volumes by tag, does not find.
 */
export interface RootSwap {
  client: Ec2Client;
  vm: string;
  instanceId: string;
  snapshotId: string;
  /** Tags for the new root volume: the lab's (so down finds it), the VM's, where it came from. */
  tags: Tags;
  pollMs?: number;
  signal?: AbortSignal;
}

const WAIT_LIMIT_MS = 15 * 60_000;

/** The device the instance boots from and the volume there now (none after a revert killed between detach and attach). */
export function rootDevice(instance: Instance): { device: string; volumeId: string | undefined } {
  const mappings = instance.BlockDeviceMappings ?? [];
  const root = mappings.find((mapping) => mapping.DeviceName === instance.RootDeviceName) ?? (mappings.length === 1 ? mappings[0] : undefined);
  const device = root?.DeviceName ?? instance.RootDeviceName;
  if (!device) throw new AtomlabError(`instance ${instance.InstanceId} names no root device`, { code: 'FAILED', context: { provider: 'ec2', instance: instance.InstanceId } });
  return { device, volumeId: root?.Ebs?.VolumeId };
}

/** Polls a volume until `done` says so; a volume in `error` (or gone while waited for) fails with its state. */
async function waitVolume(swap: RootSwap, volumeId: string, wanted: string, done: (volume: Volume) => boolean): Promise<Volume> {
  for (let waited = 0; ; waited += swap.pollMs ?? 3000) {
    const [volume] = await swap.client.volumes({ ids: [volumeId] });
    if (volume && done(volume)) return volume;
    if (!volume || volume.state === 'error' || waited > WAIT_LIMIT_MS) {
      throw new AtomlabError(`${swap.vm}: volume ${volumeId} did not become ${wanted} (${volume?.state ?? 'gone'})`, { code: 'FAILED', context: { vm: swap.vm, provider: 'ec2', volumeId }, hint: 'atomlab down removes the lab, its volumes included' });
    }
    await sleep(swap.pollMs ?? 3000, undefined, { signal: swap.signal });
  }
}

const available = (volume: Volume) => volume.state === 'available';
const attachedTo = (instanceId: string) => (volume: Volume) => volume.state === 'in-use' && volume.attachments.some((a) => a.instanceId === instanceId && a.state === 'attached');

/** Stopped and waited for; returns whether it was running (pending counts) before. */
async function stopFirst(swap: RootSwap): Promise<{ wasRunning: boolean; instance: Instance }> {
  const [instance] = await swap.client.instances({ ids: [swap.instanceId] });
  const state = instance?.State?.Name;
  if (!instance || state === 'terminated' || state === 'shutting-down') throw new AtomlabError(`${swap.vm}: instance ${swap.instanceId} is ${state ?? 'gone'}`, { code: 'FAILED', context: { vm: swap.vm, provider: 'ec2' }, hint: 'run atomlab down, then up' });
  if (state === 'stopped') return { wasRunning: false, instance };
  if (state !== 'stopping') await swap.client.stopInstance(swap.instanceId, false);
  return { wasRunning: state === 'running' || state === 'pending', instance: await waitInstance({ client: swap.client, vm: swap.vm, instanceId: swap.instanceId, wanted: 'stopped', pollMs: swap.pollMs, signal: swap.signal }) };
}

/** The new root: the snapshot's size (or the old root's, when larger) and the old root's type. */
async function newRoot(swap: RootSwap, instance: Instance, old: Volume | undefined): Promise<string> {
  const zone = instance.Placement?.AvailabilityZone ?? old?.zone;
  if (!zone) throw new AtomlabError(`${swap.vm}: instance ${swap.instanceId} shows no availability zone`, { code: 'FAILED', context: { vm: swap.vm, provider: 'ec2' } });
  const sizeGiB = Math.max((await swap.client.snapshotSize(swap.snapshotId)) ?? 0, old?.sizeGiB ?? 0);
  const volumeId = await swap.client.createVolume({ zone, snapshotId: swap.snapshotId, sizeGiB: sizeGiB || 1, type: old?.type, tags: swap.tags });
  await waitVolume(swap, volumeId, 'available', available);
  return volumeId;
}

/** The swap itself (see RootSwap); the instance runs again afterwards when it ran before. Returns the new root volume's id. */
export async function swapRootVolume(swap: RootSwap): Promise<string> {
  const { client, instanceId } = swap;
  const { wasRunning, instance } = await stopFirst(swap);
  const { device, volumeId: oldId } = rootDevice(instance);
  const [old] = oldId ? await client.volumes({ ids: [oldId] }) : [];
  const volumeId = await newRoot(swap, instance, old);
  if (oldId) {
    await client.detachVolume({ volumeId: oldId, instanceId, device });
    await waitVolume(swap, oldId, 'detached', available);
  }
  await client.attachVolume({ volumeId, instanceId, device });
  await waitVolume(swap, volumeId, `attached to ${instanceId}`, attachedTo(instanceId));
  await client.deleteOnTermination({ instanceId, device });
  if (oldId) await client.deleteVolume(oldId);
  if (wasRunning) {
    await client.startInstance(instanceId);
    await waitInstance({ client, vm: swap.vm, instanceId, wanted: 'running', pollMs: swap.pollMs, signal: swap.signal });
  }
  return volumeId;
}
