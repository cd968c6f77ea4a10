import { stat } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import { withAtomicOutput } from '../files/index.js';
import type { DiskFormat } from './image-source.js';
import { qemuImg } from './qemu-img.js';

export interface ConvertOptions {
  /** Default: beside the base, so a cached image's conversion is cached in its entry. */
  outputPath?: string;
  /** qemu-img's subformat option (vmdk: monolithicSparse, streamOptimized, …). */
  subformat?: string;
}

/**
 * The base image in another format (`qemu-img convert`) for providers that need vmdk or vdi;
 * made once (atomically) and reused afterwards.
 */
export async function convertImage(
  base: { path: string; format: DiskFormat },
  target: DiskFormat,
  options: ConvertOptions = {},
): Promise<string> {
  const suffix = options.subformat ? `${options.subformat}.${target}` : target;
  // named after the base (disk.qcow2 → disk.vdi in a cache entry; tiny-<hash>.qcow2 → tiny-<hash>.vdi
  // among the recipes, where several bases share one directory)
  const output = options.outputPath ?? join(dirname(base.path), `${parse(base.path).name}.${suffix}`);
  if (await stat(output).catch(() => undefined)) return output;
  const subformat = options.subformat ? ['-o', `subformat=${options.subformat}`] : [];
  await withAtomicOutput(output, async (temporary) => {
    await qemuImg(['convert', '-q', '-f', base.format, '-O', target, ...subformat, base.path, temporary]);
  });
  return output;
}
