import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { checkConsoleHostKey } from '../../lab/ssh/index.js';
import type { GlanceImage, OpenstackClient } from './openstack-client.js';
import { labResourceName, SNAPSHOT_PROPERTY } from './lab-resources.js';
import { serverAddress, waitServer } from './servers.js';
import { forgetSnapshots, journalEntries, recordSnapshot } from './snapshot-journal.js';

export interface SnapshotTarget {
  client: OpenstackClient;
  vm: string;
  serverId: string;
  labTag: string;
  /** The VM's state directory, where the snapshot journal lives (absent in states written before it). */
  dir?: string;
  address: 'public' | 'private';
  /** The pinned host key: the snapshot carries the same one. */
  hostKey?: string;
  pollMs?: number;
  signal?: AbortSignal;
}

type Target = Pick<SnapshotTarget, 'client' | 'vm' | 'labTag'>;

/** The snapshot's properties: the lab's tag (so `down` removes it), the VM, the name (all of the VM's when no name). */
function snapshotProperties(target: Target, name?: string): Record<string, string> {
  return { [SNAPSHOT_PROPERTY.kind]: 'snapshot', [SNAPSHOT_PROPERTY.lab]: target.labTag, [SNAPSHOT_PROPERTY.vm]: target.vm, ...(name === undefined ? {} : { [SNAPSHOT_PROPERTY.name]: name }) };
}

export function snapshotImageName(target: Pick<Target, 'vm' | 'labTag'>, name: string): string {
  return `${labResourceName(target.labTag)}-${target.vm}-${name}`;
}

const byAge = (a: GlanceImage, b: GlanceImage) => String(a.created_at ?? '').localeCompare(String(b.created_at ?? ''));

/** The VM's snapshot images (of one name when given), oldest first. */
export async function snapshotImages(target: Target, name?: string): Promise<GlanceImage[]> {
  return (await target.client.images(snapshotProperties(target, name))).sort(byAge);
}

/**
 * `createImage` of the server, tagged with the lab, the VM and the name, recorded in the VM's
 * journal before the call; then waits until Glance has the image `active` and Nova has no task
 * on the server. An active snapshot of that name is refused; one a crash left unfinished is
 * deleted first.
 */
export async function takeSnapshot(target: SnapshotTarget, name: string): Promise<string> {
  const same = await snapshotImages(target, name);
  if (same.some((image) => image.status === 'active')) {
    throw new AtomlabError(`${target.vm} already has a snapshot named ${name}`, { code: 'BAD_INPUT', context: { vm: target.vm, provider: 'openstack' }, hint: 'pick another name, or delete it first' });
  }
  for (const stale of same) await target.client.deleteImage(stale.id);
  const imageName = snapshotImageName(target, name);
  await recordSnapshot(target.dir, { name, imageName });
  const imageId = await target.client.createServerImage(target.serverId, { name: imageName, metadata: snapshotProperties(target, name) });
  await recordSnapshot(target.dir, { name, imageName, imageId });
  await waitImageActive(target, imageId, name);
  const server = await target.client.server(target.serverId);
  await waitServer({ client: target.client, vm: target.vm, id: target.serverId, wanted: server?.status === 'SHUTOFF' ? 'SHUTOFF' : 'ACTIVE', settled: true, pollMs: target.pollMs, signal: target.signal });
  return imageId;
}

/** Polls Glance until the snapshot image is `active`; `killed`, or deleted by Nova (its snapshot failed), is an error. */
async function waitImageActive(target: SnapshotTarget, imageId: string, name: string): Promise<void> {
  for (;;) {
    const image = await target.client.image(imageId);
    if (image?.status === 'active') return;
    if (!image || image.status === 'killed' || image.status === 'deleted' || image.status === 'pending_delete') {
      if (image) await target.client.deleteImage(imageId);
      await forgetSnapshots(target.dir, [name]);
      const what = image ? `went to ${image.status} in Glance (deleted now)` : 'was deleted by Nova: its snapshot of the server failed';
      throw new AtomlabError(`${target.vm}: snapshot ${name} (image ${imageId}) ${what}`, {
        context: { vm: target.vm, provider: 'openstack', server: target.serverId, image: imageId },
        hint: `Nova could not copy the server's disk to Glance: openstack server event list ${target.serverId} shows why (often the image quota or Glance's store is full); then run the snapshot again`,
      });
    }
    await sleep(target.pollMs ?? 5000, undefined, { signal: target.signal });
  }
}

/** The names of the VM's snapshots (also unfinished ones a crash left), oldest first. */
export async function snapshotNames(target: Target): Promise<string[]> {
  const names = (await snapshotImages(target)).map((image) => image[SNAPSHOT_PROPERTY.name]).filter((name): name is string => typeof name === 'string');
  return [...new Set(names)];
}

export async function deleteSnapshot(target: Target & Pick<SnapshotTarget, 'dir'>, name: string): Promise<void> {
  const found = await snapshotImages(target, name);
  if (found.length === 0) throw new AtomlabError(`${target.vm} has no snapshot named ${name}`, { code: 'BAD_INPUT', context: { vm: target.vm, provider: 'openstack' }, hint: await namesHint(target) });
  for (const image of found) await target.client.deleteImage(image.id);
  await forgetSnapshots(target.dir, [name]);
}

async function namesHint(target: Target): Promise<string> {
  const names = await snapshotNames(target);
  return names.length ? `its snapshots: ${names.join(', ')}` : 'take one with atomlab snapshot VM NAME';
}

/**
 * Nova `rebuild` from the snapshot image: the server keeps its id, name, ports and addresses,
 * key pair, metadata, user-data and config drive; its root disk is replaced by the snapshot's.
 * Waits until the server is back in its power state with no task, checks it still has its
 * address, and that the console (when it prints host keys) shows the pinned one.
 */
export async function revertToSnapshot(target: SnapshotTarget, name: string): Promise<void> {
  const image = (await snapshotImages(target, name)).find((candidate) => candidate.status === 'active');
  if (!image) throw new AtomlabError(`${target.vm} has no snapshot named ${name}`, { code: 'BAD_INPUT', context: { vm: target.vm, provider: 'openstack' }, hint: await namesHint(target) });
  const before = await target.client.server(target.serverId);
  if (!before) throw new AtomlabError(`${target.vm}: server ${target.serverId} is gone`, { context: { vm: target.vm, provider: 'openstack' }, hint: 'atomlab up makes it again' });
  // a server in ERROR may have lost its address: rebuild (which Nova allows there) is how it comes back
  const address = before.status === 'ERROR' ? undefined : serverAddress(before, target.address, target.vm);
  await target.client.rebuildServer(target.serverId, image.id);
  const hint = `the snapshot's disk did not boot: openstack server event list ${target.serverId} shows why; atomlab revert ${target.vm} ${name} tries again, atomlab down removes the server`;
  const after = await waitServer({ client: target.client, vm: target.vm, id: target.serverId, wanted: before.status === 'SHUTOFF' ? 'SHUTOFF' : 'ACTIVE', settled: true, hint, pollMs: target.pollMs, signal: target.signal });
  const now = serverAddress(after, target.address, target.vm);
  if (address !== undefined && now !== address) throw new AtomlabError(`${target.vm}: the server's ${target.address} address changed from ${address} to ${now} in the rebuild`, { context: { vm: target.vm, provider: 'openstack' }, hint: 'its known_hosts entry and forwarded ports name the old address: atomlab down and up again' });
  if (target.hostKey && after.status === 'ACTIVE') checkConsoleHostKey(await target.client.consoleOutput(target.serverId), target.hostKey, target.vm);
}

/**
 * What the VM's journal recorded and Glance still has, found by id, or by name and tag when a
 * crash came before Nova answered: deleted with the VM.
 */
export async function deleteRecordedSnapshots(target: Target & Pick<SnapshotTarget, 'dir'>): Promise<void> {
  const entries = await journalEntries(target.dir);
  if (entries.length === 0) return;
  const tagged = await snapshotImages(target);
  for (const entry of entries) {
    const images = tagged.filter((image) => image.id === entry.imageId || image.name === entry.imageName);
    for (const image of images) await target.client.deleteImage(image.id);
  }
  await forgetSnapshots(target.dir, entries.map((entry) => entry.name));
}
