import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/index.js';
import type { Compression } from './compression.js';
import type { DiskFormat, ImageDigest, ImageSource } from './image-source.js';

/**
 * The cache, content-addressed by the sha256 of each stored image:
 *   entries/<sha256>/disk.<format>  the image (renamed into place after fsync)
 *   entries/<sha256>/meta.json      written last: an entry without it is not complete
 *   refs/<key>.json                 which entry a source (digest, URL or path) produced
 *   partial/<key>.part(.json)       compressed bytes of an unfinished download, for resume (kept
 *                                   only when the server named a validator for If-Range)
 *   locks/<key>.lock, tmp/          per-source locks; outputs being written
 */
export interface CacheLayout {
  root: string;
  entries: string;
  refs: string;
  partial: string;
  locks: string;
  tmp: string;
}

export interface EntryMeta {
  id: string;
  sha256: string;
  format: DiskFormat;
  virtualSize: number;
  /** Apparent size of the stored image in bytes. */
  size: number;
  compression: Compression;
  /** Digest of the published file that was verified, if any. */
  publishedDigest?: ImageDigest;
  source: ImageSource;
  createdAt: string;
}

export interface SourceRef {
  key: string;
  sha256: string;
  id: string;
}

export function cacheLayout(root: string): CacheLayout {
  const at = (name: string) => join(root, name);
  return { root, entries: at('entries'), refs: at('refs'), partial: at('partial'), locks: at('locks'), tmp: at('tmp') };
}

export async function ensureCacheDirs(layout: CacheLayout): Promise<void> {
  for (const dir of [layout.entries, layout.refs, layout.partial, layout.locks, layout.tmp]) {
    await mkdir(dir, { recursive: true });
  }
}

export const entryDir = (layout: CacheLayout, sha256: string) => join(layout.entries, sha256);
export const diskPath = (layout: CacheLayout, sha256: string, format: DiskFormat) =>
  join(entryDir(layout, sha256), `disk.${format}`);
export const metaPath = (layout: CacheLayout, sha256: string) => join(entryDir(layout, sha256), 'meta.json');
export const refPath = (layout: CacheLayout, key: string) => join(layout.refs, `${key}.json`);
export const lockPath = (layout: CacheLayout, key: string) => join(layout.locks, `${key}.lock`);

/**
 * What identifies a source before it is downloaded: the verified digest when there is one
 * (any URL serving those bytes is the same image), else the URL, else the file and its mtime.
 */
export async function sourceKey(source: ImageSource, expected?: ImageDigest): Promise<string> {
  let identity: string;
  if (expected) identity = `digest:${expected.algorithm}:${expected.hex}`;
  else if (source.url && !source.url.startsWith('file:')) identity = `url:${source.url}`;
  else {
    const path = source.path ?? new URL(source.url!).pathname;
    const info = await stat(path);
    identity = `file:${path}:${info.size}:${info.mtimeMs}`;
  }
  // a box's disk is not the box file: the same digest as a box and as a plain image are two entries
  if (source.box) identity = `box:${source.box.provider ?? 'any'}:${identity}`;
  return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A complete entry (meta.json present and its image file there), or undefined. */
export async function readEntry(layout: CacheLayout, sha256: string): Promise<EntryMeta | undefined> {
  const meta = await readJson<EntryMeta>(metaPath(layout, sha256));
  if (!meta) return undefined;
  const present = await stat(diskPath(layout, sha256, meta.format)).catch(() => undefined);
  return present ? meta : undefined;
}

export const readRef = (layout: CacheLayout, key: string) => readJson<SourceRef>(refPath(layout, key));

export async function writeRef(layout: CacheLayout, ref: SourceRef): Promise<void> {
  await writeFileAtomic(refPath(layout, ref.key), `${JSON.stringify(ref, null, 2)}\n`);
}

export async function writeEntryMeta(layout: CacheLayout, meta: EntryMeta): Promise<void> {
  await writeFileAtomic(metaPath(layout, meta.sha256), `${JSON.stringify(meta, null, 2)}\n`);
}
