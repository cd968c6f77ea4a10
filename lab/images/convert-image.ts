import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { withAtomicOutput } from '../files/index.js';
import type { DiskFormat } from './image-source.js';
import { qemuImg } from './qemu-img.js';

export interface ConvertOptions {
  /** Default: beside the base, so a cached image's conversion is cached in its entry. */
  outputPath?: string;
}

/**
 * The base image in another format (`qemu-img convert`) for providers that need vmdk or vdi;
 * made once (atomically) and reused afterwards.
 */
export async function convertImage(
  base: { path: string; format: DiskFormat },
  target: 'vmdk' | 'vdi',
  options: ConvertOptions = {},
): Promise<string> {
  const output = options.outputPath ?? join(dirname(base.path), `disk.${target}`);
  if (await stat(output).catch(() => undefined)) return output;
  await withAtomicOutput(output, async (temporary) => {
    await qemuImg(['convert', '-q', '-f', base.format, '-O', target, base.path, temporary]);
  });
  return output;
}
