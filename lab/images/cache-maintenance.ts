import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { imageCacheDir } from '../home/index.js';
import {
  cacheLayout, diskPath, ensureCacheDirs, entryDir, lockPath, metaPath, readEntry, readRef, refPath, type CacheLayout, type EntryMeta,
} from './cache-layout.js';
import { withEntryLock } from './entry-lock.js';

export interface CachedImage {
  id: string;
  sha256: string;
  path: string;
  format: EntryMeta['format'];
  virtualSize: number;
  size: number;
  url?: string;
  createdAt: string;
}

const list = (dir: string) => readdir(dir).catch(() => [] as string[]);
const layoutOf = (cacheDir?: string) => cacheLayout(cacheDir ?? imageCacheDir());

function describe(layout: CacheLayout, meta: EntryMeta): CachedImage {
  const { id, sha256, format, virtualSize, size, createdAt } = meta;
  return { id, sha256, path: diskPath(layout, sha256, format), format, virtualSize, size, url: meta.source.url ?? meta.source.path, createdAt };
}

/** Every complete entry of the cache. */
export async function listImages(cacheDir?: string): Promise<CachedImage[]> {
  const layout = layoutOf(cacheDir);
  const entries = await Promise.all((await list(layout.entries)).map((sha) => readEntry(layout, sha)));
  return entries.filter((meta): meta is EntryMeta => meta !== undefined).map((meta) => describe(layout, meta));
}

/** Removes an entry: meta.json first, so it stops looking complete before its image goes. */
async function removeEntry(layout: CacheLayout, sha256: string): Promise<void> {
  await rm(metaPath(layout, sha256), { force: true });
  await rm(entryDir(layout, sha256), { recursive: true, force: true });
}

/** Removes the entries matching each id, sha256 (or a prefix of 12+ characters) or URL; returns them. */
export async function removeImages(ids: string[], cacheDir?: string): Promise<{ removed: CachedImage[]; unknown: string[] }> {
  const layout = layoutOf(cacheDir);
  const images = await listImages(cacheDir);
  const matches = (image: CachedImage, id: string) =>
    image.id === id || image.url === id || (id.length >= 12 && image.sha256.startsWith(id.toLowerCase()));
  const removed = images.filter((image) => ids.some((id) => matches(image, id)));
  for (const image of removed) await removeEntry(layout, image.sha256);
  await pruneRefs(layout);
  return { removed, unknown: ids.filter((id) => !images.some((image) => matches(image, id))) };
}

async function pruneRefs(layout: CacheLayout): Promise<number> {
  let count = 0;
  for (const name of await list(layout.refs)) {
    const key = name.replace(/\.json$/, '');
    const ref = await readRef(layout, key);
    if (ref && (await readEntry(layout, ref.sha256))) continue;
    await rm(refPath(layout, key), { force: true });
    count += 1;
  }
  return count;
}

/** Partial downloads nobody is working on (their lock is free), and leftover temporary files. */
async function pruneLeftovers(layout: CacheLayout): Promise<number> {
  let count = 0;
  for (const name of await list(layout.partial)) {
    const key = name.split('.')[0]!;
    const freed = await withEntryLock(lockPath(layout, key), () => rm(join(layout.partial, name), { force: true }).then(() => true), { tryOnly: true });
    if (freed !== undefined) count += 1;
  }
  for (const name of await list(layout.tmp)) {
    const key = name.split('.')[0]!;
    const freed = await withEntryLock(lockPath(layout, key), () => rm(join(layout.tmp, name), { force: true }).then(() => true), { tryOnly: true });
    if (freed !== undefined) count += 1;
  }
  return count;
}

/**
 * Removes what is not a complete, usable entry: partial downloads not in progress, temporary
 * outputs of interrupted pulls, entries without meta.json, refs to missing entries.
 */
export async function pruneCache(cacheDir?: string): Promise<{ removed: number }> {
  const layout = layoutOf(cacheDir);
  await ensureCacheDirs(layout);
  let removed = await pruneLeftovers(layout);
  for (const sha of await list(layout.entries)) {
    if (await readEntry(layout, sha)) continue;
    await removeEntry(layout, sha);
    removed += 1;
  }
  removed += await pruneRefs(layout);
  return { removed };
}

/** sha256 of a whole file, streamed. */
export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface VerifyReport {
  ok: CachedImage[];
  bad: Array<CachedImage & { actual: string }>;
}

/** Re-hashes every entry; entries whose image no longer matches its sha256 are removed. */
export async function verifyCache(cacheDir?: string): Promise<VerifyReport> {
  const layout = layoutOf(cacheDir);
  const report: VerifyReport = { ok: [], bad: [] };
  for (const image of await listImages(cacheDir)) {
    const actual = await sha256Of(image.path).catch(() => 'unreadable');
    if (actual === image.sha256) {
      report.ok.push(image);
    } else {
      report.bad.push({ ...image, actual });
      await removeEntry(layout, image.sha256);
    }
  }
  await pruneRefs(layout);
  return report;
}
