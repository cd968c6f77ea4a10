import { resolve } from 'node:path';
import { AtomlabError } from '../errors/index.js';
import { withAtomicOutput } from '../files/index.js';
import { imageInfo } from './image-info.js';
import type { DiskFormat } from './image-source.js';
import { qemuImg } from './qemu-img.js';

export interface OverlayRequest {
  /** The cached base image (stays untouched; the overlay records its absolute path). */
  base: string;
  baseFormat: DiskFormat;
  /** Where the VM's disk goes. */
  path: string;
  /** Grow the disk to this many bytes (never smaller than the base). */
  sizeBytes?: number;
}

export interface Overlay {
  path: string;
  format: 'qcow2';
  virtualSize: number;
  backingFile: string;
}

/**
 * A per-VM copy-on-write disk: a qcow2 overlay on the base (`qemu-img create -b … -F …`), grown
 * when a size is asked. Constant time whatever the base's size; written atomically.
 */
export async function createOverlay(request: OverlayRequest): Promise<Overlay> {
  const backingFile = resolve(request.base);
  const base = await imageInfo(backingFile);
  const size = request.sizeBytes ?? base.virtualSize;
  if (size < base.virtualSize) {
    throw new AtomlabError(`disk size ${size} bytes is smaller than the image (${base.virtualSize} bytes)`, {
      code: 'BAD_INPUT',
      hint: 'a disk can grow but never shrink: ask for at least the image\'s virtual size, or leave the size out',
      context: { file: request.path },
    });
  }
  await withAtomicOutput(request.path, async (temporary) => {
    await qemuImg(['create', '-q', '-f', 'qcow2', '-b', backingFile, '-F', request.baseFormat, temporary, String(size)]);
  });
  return { path: request.path, format: 'qcow2', virtualSize: size, backingFile };
}
