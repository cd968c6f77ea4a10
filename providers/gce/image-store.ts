import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { acquireLock } from '../../lab/files/index.js';
import type { TaggedResource } from '../../lab/provider/index.js';
import type { GceClient, Image } from './gce-client.js';
import { deleteObject, ensureBucket, listObjects, objectSource, zoneRegion } from './gcs-bucket.js';
import { uploadObject, type UploadProgress } from './gcs-upload.js';
import type { GoogleHttp } from './google-http.js';
import { makeImageTarball } from './image-tarball.js';

export const LABEL_ATOMLAB = 'atomlab';
export const LABEL_DIGEST = 'atomlab-digest';

/** Label values hold at most 63 characters: a sha256 is 64, so the label keeps 63 and the description all. */
export function digestLabel(digest: string): string {
  return digest.slice(0, 63).toLowerCase();
}

export function imageName(digest: string): string {
  return `atomlab-${digest.slice(0, 40).toLowerCase()}`;
}

export interface ImageRequest {
  client: GceClient;
  http: GoogleHttp;
  project: string;
  zone: string;
  bucket: string;
  base: { path: string; digest: string; format: string };
  /** Upload journals, tarballs and locks (atomlab's home). */
  uploadsDir: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  pollMs?: number;
  /** Bytes per upload PUT (tests). */
  chunkBytes?: number;
}

async function findImage(request: ImageRequest): Promise<Image | undefined> {
  const labelled = await request.client.images(request.project, `labels.${LABEL_DIGEST} = "${digestLabel(request.base.digest)}"`);
  const mine = labelled.filter((image) => (image.description ?? '').includes(request.base.digest) && image.status !== 'DELETING');
  return mine.find((image) => image.status === 'READY') ?? mine.find((image) => image.status === 'PENDING') ?? mine.find((image) => image.status === 'FAILED');
}

async function waitReady(request: ImageRequest, name: string): Promise<void> {
  for (;;) {
    const image = (await request.client.images(request.project, `name = "${name}"`))[0];
    if (image?.status === 'READY') return;
    if (!image || image.status === 'FAILED') throw new AtomlabError(`GCE image ${name} ${image ? 'FAILED' : 'is gone'}`, { context: { provider: 'gce', image: name }, hint: 'run up again: a failed image is replaced' });
    await sleep(request.pollMs ?? 5000, undefined, { signal: request.signal });
  }
}

/**
 * The GCE image of a cached raw disk, made once per project and found again by its digest label:
 * a `disk.raw` tar.gz (oldgnu, sparse) uploaded to the bucket by the resumable protocol, then
 * images.insert reading it; the object is deleted once the image is made. One process makes a
 * digest's image at a time (a lock); others wait and reuse it. A FAILED image is replaced.
 */
export async function ensureImage(request: ImageRequest): Promise<string> {
  if (request.base.format !== 'raw') throw new AtomlabError(`gce uploads raw images, got ${request.base.format}`, { context: { provider: 'gce' } });
  const found = await findImage(request);
  if (found?.status === 'READY') return found.name!;
  await mkdir(request.uploadsDir, { recursive: true });
  const stem = join(request.uploadsDir, `gce-${request.project}-${request.base.digest}`);
  const release = await acquireLock(`${stem}.lock`, { signal: request.signal, holder: 'another atomlab uploading this image' });
  try {
    const again = await findImage(request);
    if (again?.status === 'FAILED') await request.client.deleteImage(request.project, again.name!);
    if (again?.status !== 'FAILED' && again) {
      await waitReady(request, again.name!);
      return again.name!;
    }
    return await uploadAndInsert(request, stem);
  } finally {
    await release();
  }
}

async function uploadAndInsert(request: ImageRequest, stem: string): Promise<string> {
  const { http, base, project } = request;
  const object = `atomlab/${base.digest}.tar.gz`;
  const tarball = await makeImageTarball({ raw: base.path, out: `${stem}.tar.gz`, signal: request.signal });
  await ensureBucket(http, { project, bucket: request.bucket, location: zoneRegion(request.zone), signal: request.signal });
  const metadata = { [LABEL_ATOMLAB]: 'image', [LABEL_DIGEST]: base.digest };
  await uploadObject({ http, bucket: request.bucket, object, path: tarball.path, metadata, journalPath: `${stem}.upload.json`, onProgress: request.onProgress, signal: request.signal, chunkBytes: request.chunkBytes });
  const name = imageName(base.digest);
  try {
    await insertAndWait(request, name, object);
  } finally {
    await deleteObject(http, request.bucket, object);
  }
  await rm(tarball.path, { force: true });
  return name;
}

/** images.insert reading the object; the object is deleted after, made or not (the local tarball stays for a retry). */
async function insertAndWait(request: ImageRequest, name: string, object: string): Promise<void> {
  const { client, base, project } = request;
  await client.insertImage(project, {
    name,
    description: `atomlab image sha256:${base.digest}`,
    labels: { [LABEL_ATOMLAB]: 'image', [LABEL_DIGEST]: digestLabel(base.digest) },
    rawDisk: { source: objectSource(request.bucket, object), containerType: 'TAR' },
    architecture: 'X86_64',
    guestOsFeatures: [{ type: 'VIRTIO_SCSI_MULTIQUEUE' }],
  });
  await waitReady(request, name);
}

/**
 * `down --images`: deletes every image atomlab made in the project (by label), and any tarball
 * object a crash left in the bucket between upload and images.insert; returns what went.
 */
export async function removeUploadedImages(request: { client: GceClient; http: GoogleHttp; project: string; bucket: string }): Promise<TaggedResource[]> {
  const { client, project } = request;
  const removed: TaggedResource[] = [];
  for (const object of await listObjects(request.http, request.bucket, 'atomlab/')) {
    await deleteObject(request.http, request.bucket, object);
    removed.push({ kind: 'bucket-object', id: `gs://${request.bucket}/${object}` });
  }
  for (const image of await client.images(project, `labels.${LABEL_ATOMLAB} = "image"`)) {
    await client.deleteImage(project, image.name!);
    removed.push({ kind: 'image', id: image.name!, state: image.status ?? undefined });
  }
  return removed;
}
