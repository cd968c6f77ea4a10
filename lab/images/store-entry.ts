import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { diskPath, entryDir, readEntry, writeEntryMeta, writeRef, type CacheLayout, type EntryMeta } from './cache-layout.js';


async function fsync(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Moves a verified image into its content-addressed place: fsync, rename, fsync the directory,
 * then meta.json (atomic) marks the entry complete, then the source's ref points at it.
 */
export async function storeEntry(layout: CacheLayout, imagePath: string, meta: EntryMeta, key: string): Promise<string> {
  const target = diskPath(layout, meta.sha256, meta.format);
  const existing = await readEntry(layout, meta.sha256);
  if (!existing) {
    await fsync(imagePath, 'r+');
    await mkdir(entryDir(layout, meta.sha256), { recursive: true });
    await rename(imagePath, target);
    await fsync(dirname(target), 'r');
    await writeEntryMeta(layout, meta);
  }
  await writeRef(layout, { key, sha256: meta.sha256, id: meta.id });
  return target;
}
