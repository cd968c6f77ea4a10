import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { acquireLock } from '../../lab/files/index.js';
import type { TaggedResource } from '../../lab/provider/index.js';
import type { Ec2Client } from './ec2-client.js';
import { uploadToEbs, type UploadProgress } from './ebs-upload.js';

export const TAG_ATOMLAB = 'atomlab';
export const TAG_DIGEST = 'atomlab:digest';
export const TAG_LAB = 'atomlab:lab';

export interface AmiRequest {
  client: Ec2Client;
  /** The cached raw image and its sha256 (what the AMI is tagged and found by). */
  base: { path: string; digest: string; format: string };
  region: string;
  volumeType: string;
  /** Directory for upload journals and locks (atomlab's home). */
  uploadsDir: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  /** Poll interval while AWS finishes a snapshot or image. */
  pollMs?: number;
}

export function amiName(digest: string): string {
  return `atomlab-${digest}`;
}

/** The AMI made from this digest, when one is (or is becoming) available. */
async function findAmi(client: Ec2Client, digest: string): Promise<{ id: string; state: string } | undefined> {
  const tagged = await client.images({ tags: { [TAG_DIGEST]: digest } });
  const named = tagged.length ? tagged : await client.images({ names: [amiName(digest)] });
  const usable = named.find((image) => image.State === 'available') ?? named.find((image) => image.State === 'pending');
  return usable ? { id: usable.ImageId!, state: usable.State! } : undefined;
}

async function waitState(read: () => Promise<string | undefined>, wanted: string, what: string, request: AmiRequest): Promise<void> {
  for (;;) {
    const state = await read();
    if (state === wanted) return;
    if (state === 'error' || state === 'failed' || state === undefined) {
      throw new AtomlabError(`${what} ended in state ${state ?? 'missing'}`, { context: { provider: 'ec2' }, hint: 'run up again: a failed image is replaced' });
    }
    await sleep(request.pollMs ?? 5000, undefined, { signal: request.signal });
  }
}

/**
 * The AMI of a cached image, uploaded once per region and found again by its digest tag (or its
 * name, which carries the digest): EBS direct APIs into a snapshot, then RegisterImage. One
 * process uploads a digest at a time (a lock beside the journal); others wait and reuse it.
 */
export async function ensureAmi(request: AmiRequest): Promise<string> {
  const { client, base } = request;
  if (base.format !== 'raw') throw new AtomlabError(`ec2 uploads raw images, got ${base.format}`, { code: 'FAILED', context: { provider: 'ec2' } });
  const found = await findAmi(client, base.digest);
  if (found?.state === 'available') return found.id;
  const journal = join(request.uploadsDir, `ec2-${request.region}-${base.digest}.json`);
  await mkdir(request.uploadsDir, { recursive: true });
  const release = await acquireLock(`${journal}.lock`, { signal: request.signal, holder: 'another atomlab uploading this image' });
  try {
    const again = await findAmi(client, base.digest);
    const id = again?.id ?? (await uploadAndRegister(request, journal));
    await waitState(async () => (await client.images({ ids: [id] }))[0]?.State, 'available', `AMI ${id}`, request);
    return id;
  } finally {
    await release();
  }
}

async function uploadAndRegister(request: AmiRequest, journalPath: string): Promise<string> {
  const { client, base } = request;
  const tags = { [TAG_ATOMLAB]: 'image', [TAG_DIGEST]: base.digest };
  const snapshotId = await uploadToEbs({ client, path: base.path, tags, description: `atomlab image ${base.digest}`, journalPath, onProgress: request.onProgress, signal: request.signal });
  await waitState(() => client.snapshotState(snapshotId), 'completed', `EBS snapshot ${snapshotId}`, request);
  const imageId = await client.registerImage({ name: amiName(base.digest), snapshotId, volumeType: request.volumeType, tags });
  await client.tag([imageId], tags);
  return imageId;
}

/** Deregisters every AMI atomlab uploaded (by tag) and deletes their snapshots; returns what went. */
export async function removeUploadedImages(client: Ec2Client): Promise<TaggedResource[]> {
  const removed: TaggedResource[] = [];
  for (const image of await client.images({ tags: { [TAG_ATOMLAB]: 'image' } })) {
    await client.deregisterImage(image.ImageId!);
    removed.push({ kind: 'image', id: image.ImageId! });
  }
  for (const snapshot of await client.snapshots({ [TAG_ATOMLAB]: 'image' })) {
    await client.deleteSnapshot(snapshot.id);
    removed.push({ kind: 'snapshot', id: snapshot.id });
  }
  return removed;
}
