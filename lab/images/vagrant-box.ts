import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import * as tar from 'tar';
import { z } from 'zod';
import { AtomlabError } from '../errors/index.js';

/** The providers whose boxes atomlab reads: their disk is usable by every atomlab provider. */
export type BoxProvider = 'libvirt' | 'virtualbox';

/**
 * metadata.json of a box. Vagrant requires `provider` only (lib/vagrant/box.rb
 * REQUIRED_METADATA_FIELDS); vagrant-libvirt v1 adds `format` and `virtual_size`, v2 a `disks`
 * list (lib/vagrant-libvirt/action/handle_box_image.rb).
 */
const BoxMetadataSchema = z.looseObject({
  provider: z.string().min(1),
  format: z.string().optional(),
  virtual_size: z.number().optional(),
  disks: z.array(z.looseObject({ path: z.string().min(1), format: z.string().optional() })).min(1).optional(),
});

export type BoxMetadata = z.output<typeof BoxMetadataSchema>;

export interface UnpackedBox {
  metadata: BoxMetadata;
  /** The boot disk inside the unpacked directory. */
  disk: string;
  /** Other disks (v2 `disks` beyond the first, or further OVF disks): not used. */
  otherDisks: string[];
}

function boxError(box: string, message: string, hint?: string): AtomlabError {
  return new AtomlabError(`${box}: ${message}`, { code: 'BAD_INPUT', hint, context: { file: box } });
}

/** A path from inside the box, refused when it would leave the unpacked directory. */
function inside(dir: string, box: string, relative: string): string {
  const path = normalize(join(dir, relative));
  if (!path.startsWith(`${dir}${sep}`)) throw boxError(box, `names a file outside the box: ${relative}`);
  return path;
}

async function readMetadata(dir: string, box: string): Promise<BoxMetadata> {
  const text = await readFile(join(dir, 'metadata.json'), 'utf8').catch(() => {
    throw boxError(box, 'is not a Vagrant box: it has no metadata.json', 'a box is a tar (usually gzipped) of metadata.json and the disk');
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw boxError(box, `metadata.json is not JSON: ${(cause as Error).message}`);
  }
  const parsed = BoxMetadataSchema.safeParse(json);
  if (!parsed.success) throw boxError(box, `metadata.json lacks what Vagrant requires: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The disk files an OVF references, in DiskSection order (box.ovf of a VirtualBox box). */
export function ovfDisks(xml: string): string[] {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, isArray: (name) => ['File', 'Disk'].includes(name) });
  const doc = parser.parse(xml) as { Envelope?: { References?: { File?: Record<string, string>[] }; DiskSection?: { Disk?: Record<string, string>[] } } };
  const envelope = doc.Envelope;
  if (!envelope) throw new Error('not an OVF envelope');
  const files = new Map((envelope.References?.File ?? []).map((file) => [file['@id'], file['@href']]));
  const disks = (envelope.DiskSection?.Disk ?? []).map((disk) => files.get(disk['@fileRef'] ?? ''));
  return disks.filter((href): href is string => typeof href === 'string');
}

async function virtualboxDisks(dir: string, box: string): Promise<string[]> {
  const xml = await readFile(join(dir, 'box.ovf'), 'utf8').catch(() => {
    throw boxError(box, 'is a VirtualBox box without box.ovf');
  });
  try {
    return ovfDisks(xml);
  } catch (cause) {
    throw boxError(box, `box.ovf cannot be read: ${(cause as Error).message}`);
  }
}

async function diskPaths(dir: string, box: string, metadata: BoxMetadata): Promise<string[]> {
  if (metadata.provider === 'libvirt') return metadata.disks ? metadata.disks.map((d) => d.path) : ['box.img'];
  if (metadata.provider === 'virtualbox') return virtualboxDisks(dir, box);
  throw boxError(box, `is a box for ${metadata.provider}; atomlab reads libvirt and virtualbox boxes`);
}

/**
 * Unpacks a box (a tar; the download already went through gzip) into `dir`, streaming each entry
 * to disk, checks metadata.json (and the provider asked for), and finds the boot disk: box.img
 * (or the first of v2's `disks`) for libvirt, the first disk box.ovf references for VirtualBox.
 */
export async function unpackBox(tarFile: string, dir: string, options: { box: string; provider?: BoxProvider }): Promise<UnpackedBox> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const extract = tar.x({ cwd: dir, strict: true, preservePaths: false });
    extract.on('error', (cause: Error) => reject(boxError(options.box, `is not a tar archive: ${cause.message}`)));
    extract.on('finish', resolve);
    createReadStream(tarFile, { highWaterMark: 1024 * 1024 }).on('error', reject).pipe(extract);
  });
  const metadata = await readMetadata(dir, options.box);
  if (options.provider && metadata.provider !== options.provider) {
    throw boxError(options.box, `is a ${metadata.provider} box, not ${options.provider}`, `set provider: ${metadata.provider} in the image`);
  }
  const [first, ...rest] = (await diskPaths(dir, options.box, metadata)).map((path) => inside(dir, options.box, path));
  if (!first || !(await stat(first).catch(() => undefined))?.isFile()) throw boxError(options.box, `has no disk image${first ? ` (${first.slice(dir.length + 1)} is missing)` : ''}`);
  return { metadata, disk: first, otherDisks: rest };
}
