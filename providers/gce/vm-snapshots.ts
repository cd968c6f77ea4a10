import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import type { AttachedDisk, GceClient, Instance } from './gce-client.js';
import { waitInstance } from './instances.js';
import { gceSafe, LABEL_INSTANCE, labelFilter, labLabels, lastPart } from './lab-resources.js';

/**
 * Named snapshots of a GCE VM's boot disk (snapshots.insert), labelled with the lab so `down`
 * removes them, and revert by swapping the boot disk: stop, disks.insert from the snapshot,
 * detachDisk the old boot disk, attachDisk the new one as boot, start when it ran before,
 * delete the old disk. Every disk made carries the lab's labels from its insert, so a revert
 * killed half-way leaves nothing that `down` (which removes the lab's disks by label) misses.
 */
export interface GceSnapshotTarget {
  client: GceClient;
  project: string;
  zone: string;
  /** The instance's name. */
  instance: string;
  vm: string;
  labTag: string;
  pollMs?: number;
  signal?: AbortSignal;
}

const LABEL_VM = 'atomlab-vm';

function vmLabels(target: GceSnapshotTarget): Record<string, string> {
  return { ...labLabels(target.labTag), [LABEL_VM]: gceSafe(target.vm, 63) };
}

/** The snapshot's resource name: project-wide, so made from the lab, the VM and the name (which may hold . and capitals GCE names refuse). */
export function snapshotResourceName(target: Pick<GceSnapshotTarget, 'labTag' | 'vm'>, name: string): string {
  const hash = createHash('sha256').update(`${target.labTag}/${target.vm}/${name}`).digest('hex').slice(0, 12);
  return `atomlab-${hash}-${gceSafe(name, 40)}`;
}

/** The description carries the name as given (labels and resource names cannot). */
const describe = (target: GceSnapshotTarget, name: string) => `atomlab snapshot ${name} of ${target.vm} (lab ${target.labTag})`;
const nameOf = (description: string | null | undefined) => /^atomlab snapshot (\S+) of /.exec(description ?? '')?.[1];

const failed = (target: GceSnapshotTarget, message: string, code: 'FAILED' | 'BAD_INPUT' = 'FAILED') => new AtomlabError(message, { code, context: { vm: target.vm, provider: 'gce' } });

function bootDisk(target: GceSnapshotTarget, instance: Instance | undefined): AttachedDisk | undefined {
  if (!instance) throw failed(target, `${target.vm}: instance ${target.instance} is gone`);
  return instance.disks?.find((disk) => disk.boot);
}

export async function snapshotVm(target: GceSnapshotTarget, name: string): Promise<void> {
  const { client, project } = target;
  const resource = snapshotResourceName(target, name);
  if (await client.snapshot(project, resource)) throw new AtomlabError(`${target.vm} already has a snapshot named ${name}`, { code: 'BAD_INPUT', context: { vm: target.vm, provider: 'gce' }, hint: 'pick another name, or delete it first' });
  const boot = bootDisk(target, await client.instance(project, target.zone, target.instance));
  if (!boot?.source) throw failed(target, `${target.vm}: instance ${target.instance} has no boot disk to snapshot`);
  await client.insertSnapshot(project, { name: resource, sourceDisk: boot.source, labels: { ...vmLabels(target), [LABEL_INSTANCE]: target.instance }, description: describe(target, name) });
}

export async function vmSnapshotNames(target: GceSnapshotTarget): Promise<string[]> {
  const found = await target.client.snapshots(target.project, labelFilter(target.labTag));
  return found.filter((snapshot) => snapshot.labels?.[LABEL_VM] === gceSafe(target.vm, 63)).map((snapshot) => nameOf(snapshot.description)).filter((name): name is string => Boolean(name));
}

export async function deleteVmSnapshot(target: GceSnapshotTarget, name: string): Promise<void> {
  const resource = snapshotResourceName(target, name);
  if (!(await target.client.snapshot(target.project, resource))) throw failed(target, `${target.vm} has no snapshot named ${name}`, 'BAD_INPUT');
  await target.client.deleteSnapshot(target.project, resource);
}

/** The named snapshot, once READY (a disk is made only from a ready snapshot). */
async function readySnapshot(target: GceSnapshotTarget, name: string): Promise<string> {
  const resource = snapshotResourceName(target, name);
  for (let waited = 0; ; waited += target.pollMs ?? 3000) {
    const snapshot = await target.client.snapshot(target.project, resource);
    if (!snapshot) throw new AtomlabError(`${target.vm} has no snapshot named ${name}`, { code: 'BAD_INPUT', context: { vm: target.vm, provider: 'gce' }, hint: 'atomlab snapshot VM NAME takes one' });
    if (snapshot.status === 'READY') return snapshot.selfLink ?? `projects/${target.project}/global/snapshots/${resource}`;
    if (snapshot.status === 'FAILED' || waited > 60 * 60_000) throw failed(target, `${target.vm}: snapshot ${name} (${resource}) is ${snapshot.status}`);
    await sleep(target.pollMs ?? 3000, undefined, { signal: target.signal });
  }
}

/** Stopped (TERMINATED) and waited for; says whether it ran before. */
async function stopFirst(target: GceSnapshotTarget): Promise<boolean> {
  const { client, project, zone, instance: name } = target;
  const status = (await client.instance(project, zone, name))?.status;
  if (status === 'TERMINATED') return false;
  if (status !== 'STOPPING') await client.instanceAction('stop', { project, zone, name });
  await waitInstance({ client, project, zone, name, vm: target.vm, wanted: 'TERMINATED', pollMs: target.pollMs, signal: target.signal });
  return status !== 'SUSPENDED';
}

/** The new boot disk: from the snapshot, the old disk's type and size, the lab's labels. Returns its name. */
async function newBootDisk(target: GceSnapshotTarget, snapshot: string, old: AttachedDisk | undefined): Promise<string> {
  const { client, project, zone } = target;
  const previous = old?.source ? await client.disk(project, zone, lastPart(old.source)) : undefined;
  const name = `atomlab-${randomBytes(5).toString('hex')}-${gceSafe(target.vm, 40)}`;
  await client.insertDisk(project, zone, { name, sourceSnapshot: snapshot, labels: vmLabels(target), ...(previous?.type ? { type: previous.type } : {}), ...(previous?.sizeGb ? { sizeGb: String(previous.sizeGb) } : {}), description: `atomlab: ${target.vm}'s boot disk, reverted to a snapshot` });
  return name;
}

/** Back to a named snapshot by swapping the boot disk; returns the new disk's name. */
export async function revertVm(target: GceSnapshotTarget, name: string): Promise<string> {
  const { client, project, zone } = target;
  const where = { project, zone, name: target.instance };
  const snapshot = await readySnapshot(target, name);
  const wasRunning = await stopFirst(target);
  const old = bootDisk(target, await client.instance(project, zone, target.instance));
  const disk = await newBootDisk(target, snapshot, old);
  if (old?.deviceName) await client.detachDisk(where, old.deviceName);
  await client.attachDisk(where, { source: `projects/${project}/zones/${zone}/disks/${disk}`, boot: true, autoDelete: true, mode: 'READ_WRITE', type: 'PERSISTENT', ...(old?.deviceName ? { deviceName: old.deviceName } : {}) });
  if (wasRunning) {
    await client.instanceAction('start', where);
    await waitInstance({ client, ...where, vm: target.vm, wanted: 'RUNNING', pollMs: target.pollMs, signal: target.signal });
  }
  if (old?.source) await client.deleteDisk(project, zone, lastPart(old.source));
  return disk;
}
