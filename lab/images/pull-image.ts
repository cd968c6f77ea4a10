import { createReadStream } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtomlabError, isNoSpace, noSpaceError } from '../errors/index.js';
import { imageCacheDir } from '../home/index.js';
import {
  cacheLayout, diskPath, ensureCacheDirs, lockPath, readEntry, readRef, sourceKey, writeRef, type CacheLayout,
} from './cache-layout.js';
import { withEntryLock } from './entry-lock.js';
import { digestMismatch, expectedDigest } from './expected-digest.js';
import { HttpDownload } from './http-download.js';
import type { RequestOptions } from './http-request.js';
import { checkDownloadedImage, imageInfo } from './image-info.js';
import type { ImageDigest, ImageSource, PulledImage, PullOptions } from './image-source.js';
import { PartialDownload } from './partial-download.js';
import { ProgressMeter } from './progress-meter.js';
import { storeEntry } from './store-entry.js';
import { sha256Of } from './cache-maintenance.js';
import { unpackBox } from './vagrant-box.js';
import { Transfer } from './transfer.js';

const DEFAULTS = { idleTimeoutMs: 30_000, retries: 5, retryDelayMs: 1000 };

interface Pull {
  source: ImageSource;
  id: string;
  location: string;
  expected?: ImageDigest;
  key: string;
  /** The key of the source alone (URL), for checksum-file sources. */
  sourceOnlyKey?: string;
  layout: CacheLayout;
  options: Required<Pick<PullOptions, 'idleTimeoutMs' | 'retries' | 'retryDelayMs'>> & PullOptions;
}

function locationOf(source: ImageSource): string {
  if (source.url && source.path) throw new AtomlabError('an image source has a url or a path, not both', { code: 'BAD_INPUT' });
  const location = source.url ?? source.path;
  if (!location) throw new AtomlabError('an image source needs a url or a path', { code: 'BAD_INPUT' });
  if (source.url && !/^(https?|file):\/\//i.test(source.url)) {
    throw new AtomlabError(`unsupported URL ${source.url}`, { code: 'BAD_INPUT', hint: 'use http://, https:// or file:// (or a plain path)' });
  }
  return location;
}

async function cachedImage(pull: Pull): Promise<PulledImage | undefined> {
  const ref = await readRef(pull.layout, pull.key);
  const meta = ref && (await readEntry(pull.layout, ref.sha256));
  if (!meta) return undefined;
  const path = diskPath(pull.layout, meta.sha256, meta.format);
  return { id: pull.id, path, sha256: meta.sha256, format: meta.format, virtualSize: meta.virtualSize, cached: true };
}

/**
 * Makes an image available in the cache and returns where it is: from the cache when a pull of
 * the same source finished before, else downloaded (resuming), verified and decompressed in one
 * pass. Concurrent pulls of one source download it once; an interrupted pull leaves no entry.
 */
export async function pullImage(source: ImageSource, options: PullOptions = {}): Promise<PulledImage> {
  const location = locationOf(source);
  const settings = { ...DEFAULTS, ...options };
  const layout = cacheLayout(options.cacheDir ?? imageCacheDir());
  await ensureCacheDirs(layout);
  const base = { source, id: source.id ?? location, location, layout, options: settings };
  // a checksum-file source pulled before is used without the network (offline after the first download)
  const sourceOnlyKey = source.checksumUrl && !source.digest ? await keyOf(source, undefined, location) : undefined;
  const known = sourceOnlyKey && (await cachedImage({ ...base, key: sourceOnlyKey }));
  if (known) return known;
  const expected = await requiredDigest(source, location, { idleTimeoutMs: settings.idleTimeoutMs, signal: options.signal });
  const pull: Pull = { ...base, expected, key: await keyOf(source, expected, location), sourceOnlyKey };
  const hit = await cachedImage(pull);
  if (hit) return hit;
  const locked = () => withEntryLock(lockPath(layout, pull.key), async () => (await cachedImage(pull)) ?? fetchImage(pull), { signal: options.signal });
  return (await locked())!;
}

async function requiredDigest(source: ImageSource, location: string, request: RequestOptions): Promise<ImageDigest | undefined> {
  const expected = await expectedDigest(source, request);
  if (source.verify && !expected) {
    throw new AtomlabError(`${location}: verification asked, but no digest or checksum file given`, {
      code: 'BAD_INPUT',
      hint: 'give a sha256 (--sha256 HEX) or a checksumUrl, or set verify: false',
    });
  }
  return expected;
}

function keyOf(source: ImageSource, expected: ImageDigest | undefined, location: string): Promise<string> {
  return sourceKey(source, expected).catch((cause: unknown) => {
    throw new AtomlabError(`cannot read ${location}`, { code: 'NOT_FOUND', cause });
  });
}

/** Reads a local file (path or file:// URL) in place into the transfer. */
async function readLocal(pull: Pull, transfer: Transfer, progress: ProgressMeter): Promise<void> {
  const path = pull.source.path ?? fileURLToPath(pull.source.url!);
  progress.restart(0, undefined, false);
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024, signal: pull.options.signal });
  try {
    for await (const chunk of stream) {
      await transfer.write(chunk as Buffer);
      progress.add((chunk as Buffer).byteLength);
    }
  } catch (cause) {
    if (pull.options.signal?.aborted) throw new AtomlabError('interrupted', { code: 'INTERRUPTED', cause });
    throw new AtomlabError(`cannot read ${path}`, { code: 'NOT_FOUND', cause });
  }
  progress.flush();
}

async function receive(pull: Pull, output: string, partial: PartialDownload): Promise<Transfer> {
  const algorithms = pull.expected ? [pull.expected.algorithm] : [];
  const progress = new ProgressMeter(pull.options.onProgress);
  if (!/^https?:/i.test(pull.location)) {
    const transfer = new Transfer(output, algorithms);
    await readLocal(pull, transfer, progress).catch(async (error: unknown) => {
      await transfer.abort();
      throw error;
    });
    return transfer;
  }
  const download = new HttpDownload(pull.location, { ...pull.options, partial, progress, newConsumer: () => new Transfer(output, algorithms) });
  try {
    return (await download.run()) as Transfer;
  } catch (error) {
    await download.abort();
    throw error;
  }
}

/** Outputs of earlier pulls of this source that died (we hold its lock, so none is running). */
async function removeStaleOutputs(layout: CacheLayout, key: string): Promise<void> {
  for (const name of await readdir(layout.tmp)) {
    if (name.startsWith(`${key}.`)) await rm(join(layout.tmp, name), { recursive: true, force: true });
  }
}

/** Download (or read), verify, decompress, and store; the partial file survives only network failures. */
async function fetchImage(pull: Pull): Promise<PulledImage> {
  const { layout, key } = pull;
  const output = join(layout.tmp, `${key}.${process.pid}.${randomBytes(4).toString('hex')}.img`);
  const partial = new PartialDownload(join(layout.partial, `${key}.part`));
  await removeStaleOutputs(layout, key);
  try {
    const transfer = await receive(pull, output, partial);
    try {
      return await finishImage(pull, transfer, output);
    } finally {
      await partial.remove();
    }
  } catch (error) {
    if (!isNoSpace(error)) throw error;
    await partial.remove(); // a partial that filled the disk is no resume worth keeping: give the space back
    throw noSpaceError(layout.root, `pulling ${pull.location}`, error, `free space there (df -h ${layout.root}) or set ATOMLAB_HOME to a larger filesystem, then pull again: nothing was cached`);
  } finally {
    await partial.close();
    await rm(output, { force: true });
    await rm(`${output}.box`, { recursive: true, force: true });
  }
}

/** A box's published file is a tar: its boot disk takes its place as the image, hashed anew. */
async function boxDisk(pull: Pull, output: string): Promise<string> {
  const unpacked = await unpackBox(output, `${output}.box`, { box: pull.location, provider: pull.source.box!.provider });
  await rename(unpacked.disk, output);
  await rm(`${output}.box`, { recursive: true, force: true });
  return sha256Of(output);
}

async function finishImage(pull: Pull, transfer: Transfer, output: string): Promise<PulledImage> {
  const { image, published } = await transfer.finish();
  const expected = pull.expected;
  if (expected && published[expected.algorithm] !== expected.hex) {
    throw digestMismatch(pull.location, expected, published[expected.algorithm]!);
  }
  const sha256 = pull.source.box ? await boxDisk(pull, output) : image.sha256;
  const info = await imageInfo(output);
  checkDownloadedImage(info, pull.source.format, pull.location);
  const meta = {
    id: pull.id, sha256, format: info.format, virtualSize: info.virtualSize, size: image.size,
    compression: image.compression, publishedDigest: expected, source: pull.source, createdAt: new Date().toISOString(),
  };
  const path = await storeEntry(pull.layout, output, meta, pull.key);
  if (pull.sourceOnlyKey) await writeRef(pull.layout, { key: pull.sourceOnlyKey, sha256: image.sha256, id: pull.id });
  return { id: pull.id, path, sha256, format: info.format, virtualSize: info.virtualSize, cached: false };
}
