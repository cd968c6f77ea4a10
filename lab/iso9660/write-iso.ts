import { open, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { AtomlabError } from '../errors/index.js';
import { withAtomicOutput } from '../files/index.js';
import { SECTOR } from './bytes.js';
import { buildEntries, pathOf } from './build-entries.js';
import { encodeMetadata } from './encode-metadata.js';
import { planLayout, TRAILING_PAD_SECTORS, type Layout } from './layout.js';
import type { Identifiers } from './volume-descriptors.js';
import type { Entry, IsoTree } from './tree.js';

export interface WriteIsoOptions {
  /** Volume label (default `cidata`; `config-2` for a config drive). Joliet keeps its first 16 characters. */
  volumeId?: string;
  /** Every timestamp in the image; default $SOURCE_DATE_EPOCH, else now (whole seconds). */
  timestamp?: Date;
  /** File mode of the image (default 0o644; a seed holding secrets wants 0o600). */
  mode?: number;
  /** fsync before and after the rename (default true; see AtomicOutputOptions.durable). */
  durable?: boolean;
  systemId?: string;
  applicationId?: string;
}

export interface IsoSummary {
  bytes: number;
  files: number;
  directories: number;
}

const VOLUME_ID = /^[A-Za-z0-9_.\- ]{1,32}$/;
const CHUNK = 1 << 20;

function checkVolumeId(volumeId: string): string {
  if (!VOLUME_ID.test(volumeId)) {
    throw new AtomlabError(`invalid ISO volume id ${JSON.stringify(volumeId)}`, {
      code: 'BAD_INPUT',
      hint: 'use 1-32 characters from A-Z a-z 0-9 _ . - and space (NoCloud wants "cidata")',
    });
  }
  return volumeId;
}

/** The image's one timestamp: the option, else SOURCE_DATE_EPOCH, else now; whole seconds. */
export function resolveTimestamp(timestamp?: Date, env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (!timestamp && epoch !== undefined && !/^\d+$/.test(epoch)) {
    throw new AtomlabError(`SOURCE_DATE_EPOCH=${epoch} is not a number of seconds`, { code: 'BAD_INPUT' });
  }
  const ms = timestamp?.getTime() ?? (epoch !== undefined ? Number(epoch) * 1000 : Date.now());
  const date = new Date(Math.floor(ms / 1000) * 1000);
  const year = date.getUTCFullYear();
  if (!(year >= 1970 && year <= 2155)) {
    throw new AtomlabError(`timestamp ${date.toISOString()} is outside 1970-2155`, { code: 'BAD_INPUT' });
  }
  return date;
}

async function copyFromPath(out: FileHandle, file: Entry, path: string): Promise<void> {
  const input = await open(path, 'r');
  const chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(file.size, 1)));
  let copied = 0;
  try {
    for (;;) {
      const { bytesRead } = await input.read(chunk, 0, chunk.length, copied);
      if (bytesRead === 0 || copied + bytesRead > file.size) break;
      await out.write(chunk, 0, bytesRead, file.dataExtent * SECTOR + copied);
      copied += bytesRead;
    }
  } finally {
    await input.close();
  }
  if (copied !== file.size) {
    throw new AtomlabError(`${path} changed size while ${pathOf(file)} was written`, { code: 'IO', context: { file: path } });
  }
}

/** Images up to this size made only of in-memory files are written with one write call. */
const ONE_WRITE_LIMIT = 4 << 20;

/** The whole image as one buffer, when it is small and every file is already in memory. */
function wholeImage(layout: Layout, metadata: Buffer): Buffer | undefined {
  const bytes = (layout.totalSectors - TRAILING_PAD_SECTORS) * SECTOR; // the zero tail is left as a hole
  if (bytes > ONE_WRITE_LIMIT || layout.files.some((f) => f.source && !('data' in f.source))) return undefined;
  const image = Buffer.alloc(bytes);
  metadata.copy(image);
  for (const file of layout.files) {
    if (file.source && 'data' in file.source) image.set(file.source.data, file.dataExtent * SECTOR);
  }
  return image;
}

async function writeImage(temporary: string, layout: Layout, ids: Identifiers): Promise<void> {
  const metadata = encodeMetadata(layout, ids);
  const image = wholeImage(layout, metadata);
  if (image) {
    await writeFile(temporary, image);
    return truncate(temporary, layout.totalSectors * SECTOR);
  }
  const out = await open(temporary, 'w');
  try {
    await out.write(metadata, 0, undefined, 0);
    await writeData(out, layout);
    await out.truncate(layout.totalSectors * SECTOR);
  } finally {
    await out.close();
  }
}

async function writeData(out: FileHandle, layout: Layout): Promise<void> {
  for (const file of layout.files) {
    if (file.size === 0 || !file.source) continue;
    if ('data' in file.source) await out.write(file.source.data, 0, file.size, file.dataExtent * SECTOR);
    else await copyFromPath(out, file, file.source.path);
  }
}

/**
 * Writes an ISO 9660 image with Rock Ridge and Joliet to `outputPath`, atomically. File data is
 * streamed from paths in 1 MiB chunks; small images of in-memory files go out in one write.
 */
export async function writeIso(outputPath: string, tree: IsoTree, options: WriteIsoOptions = {}): Promise<IsoSummary> {
  const volumeId = checkVolumeId(options.volumeId ?? 'cidata');
  const layout = planLayout(await buildEntries(tree), resolveTimestamp(options.timestamp));
  const ids = { volumeId, systemId: options.systemId ?? 'LINUX', applicationId: options.applicationId ?? 'ATOMLAB' };
  await withAtomicOutput(outputPath, (temporary) => writeImage(temporary, layout, ids), { mode: options.mode ?? 0o644, durable: options.durable });
  const directories = layout.primary.dirs.length;
  return { bytes: layout.totalSectors * SECTOR, files: layout.files.length, directories };
}
