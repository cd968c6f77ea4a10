import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { acquireLock } from '../../lab/files/index.js';
import type { TaggedResource } from '../../lab/provider/index.js';
import type { GlanceImage, OpenstackClient } from './openstack-client.js';

/** Glance properties every uploaded image carries: what it is and the digest it is found by. */
export const IMAGE_PROPERTY = 'atomlab';
export const DIGEST_PROPERTY = 'atomlab_digest';

export interface UploadProgress {
  doneBytes: number;
  totalBytes: number;
  etaSeconds: number | undefined;
}

export interface GlanceRequest {
  client: OpenstackClient;
  base: { path: string; digest: string; format: string };
  /** Directory for the per-digest upload lock (atomlab's home). */
  uploadsDir: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  /** Poll interval while Glance finishes an image. */
  pollMs?: number;
}

export function glanceImageName(digest: string): string {
  return `atomlab-${digest}`;
}

/** Uploaded images of this digest: `atomlab=image` too, for Nova copies the digest property onto snapshots of servers booted from it. */
async function withDigest(client: OpenstackClient, digest: string): Promise<GlanceImage[]> {
  return client.images({ [IMAGE_PROPERTY]: 'image', [DIGEST_PROPERTY]: digest });
}

/**
 * The Glance image of a cached image, uploaded once per cloud and found again by its digest
 * property. One process uploads a digest at a time (a lock); an image a cut upload left
 * `queued` is uploaded again, one left `saving` or `killed` is deleted and made anew.
 */
export async function ensureGlanceImage(request: GlanceRequest): Promise<string> {
  const { client, base } = request;
  const active = (await withDigest(client, base.digest)).find((image) => image.status === 'active');
  if (active) return active.id;
  await mkdir(request.uploadsDir, { recursive: true });
  const place = createHash('sha256').update(`${client.session.config.auth.authUrl} ${client.session.config.region ?? ''}`).digest('hex').slice(0, 12);
  const release = await acquireLock(join(request.uploadsDir, `openstack-${place}-${base.digest}.lock`), { signal: request.signal, holder: 'another atomlab uploading this image' });
  try {
    const images = await withDigest(client, base.digest);
    const ready = images.find((image) => image.status === 'active');
    if (ready) return ready.id;
    const queued = images.find((image) => image.status === 'queued');
    for (const stale of images.filter((image) => image !== queued)) await client.deleteImage(stale.id);
    const image = queued ?? (await client.createImage(imageBody(base)));
    await upload(request, image.id);
    return await waitActive(request, image.id);
  } finally {
    await release();
  }
}

function imageBody(base: GlanceRequest['base']): Record<string, unknown> {
  const diskFormat = base.format === 'qcow2' ? 'qcow2' : 'raw';
  return { name: glanceImageName(base.digest), disk_format: diskFormat, container_format: 'bare', visibility: 'private', tags: ['atomlab'], [IMAGE_PROPERTY]: 'image', [DIGEST_PROPERTY]: base.digest };
}

/** Streams the file to `PUT /v2/images/{id}/file`, reporting bytes sent and an ETA. */
async function upload(request: GlanceRequest, id: string): Promise<void> {
  const totalBytes = (await stat(request.base.path)).size;
  const started = Date.now();
  let doneBytes = 0;
  const file = createReadStream(request.base.path, { highWaterMark: 1024 * 1024 });
  file.on('data', (chunk) => {
    doneBytes += chunk.length;
    const rate = doneBytes / Math.max(1, Date.now() - started);
    request.onProgress?.({ doneBytes, totalBytes, etaSeconds: rate > 0 ? (totalBytes - doneBytes) / rate / 1000 : undefined });
  });
  try {
    await request.client.uploadImage(id, Readable.toWeb(file) as ReadableStream<Uint8Array>, request.signal);
  } catch (error) {
    file.destroy();
    throw new AtomlabError(`uploading the image to Glance stopped after ${doneBytes} of ${totalBytes} bytes: ${(error as Error).message}`, {
      code: error instanceof AtomlabError ? error.code : 'FAILED',
      context: { provider: 'openstack', image: id, ...(error instanceof AtomlabError ? error.context : {}) },
      cause: error,
      hint: 'run up again: the half-uploaded image is uploaded again from the start (Glance cannot resume one)',
    });
  }
}

async function waitActive(request: GlanceRequest, id: string): Promise<string> {
  const size = (await stat(request.base.path)).size;
  for (;;) {
    const image = await request.client.image(id);
    if (image?.status === 'active') {
      if (typeof image.size === 'number' && image.size !== size) throw new AtomlabError(`Glance image ${id} holds ${image.size} bytes, not the ${size} sent`, { context: { provider: 'openstack' }, hint: 'run atomlab down --images, then up again' });
      return id;
    }
    if (!image || image.status === 'killed' || image.status === 'deleted') {
      throw new AtomlabError(`Glance image ${id} ended ${image?.status ?? 'missing'} after its upload`, { context: { provider: 'openstack', image: id }, hint: 'run up again: a failed image is replaced' });
    }
    await sleep(request.pollMs ?? 2000, undefined, { signal: request.signal });
  }
}

/** Deletes every image atomlab uploaded (by property); returns what went. */
export async function removeUploadedImages(client: OpenstackClient): Promise<TaggedResource[]> {
  const removed: TaggedResource[] = [];
  for (const image of await client.images({ [IMAGE_PROPERTY]: 'image' })) {
    await client.deleteImage(image.id);
    removed.push({ kind: 'image', id: image.id, state: image.status });
  }
  return removed;
}
