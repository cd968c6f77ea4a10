import { AtomlabError } from '../errors/index.js';
import type { DiskFormat } from './image-source.js';
import { qemuImg } from './qemu-img.js';
const FORMATS: DiskFormat[] = ['raw', 'qcow2', 'vmdk', 'vdi'];

export interface ImageInfo {
  format: DiskFormat;
  virtualSize: number;
  backingFile?: string;
}

/** `qemu-img info --output=json`: the detected format and virtual size of a disk image. */
export async function imageInfo(path: string): Promise<ImageInfo> {
  const stdout = await qemuImg(['info', '--output=json', path]);
  const info = JSON.parse(stdout) as { format: string; 'virtual-size': number; 'backing-filename'?: string };
  if (!FORMATS.includes(info.format as DiskFormat)) {
    throw new AtomlabError(`unsupported disk format ${info.format} (${path})`, {
      code: 'FAILED',
      hint: `atomlab handles ${FORMATS.join(', ')} images`,
    });
  }
  return { format: info.format as DiskFormat, virtualSize: info['virtual-size'], backingFile: info['backing-filename'] };
}

/** Refuses an image whose format is not what the source said, or that points at a backing file. */
export function checkDownloadedImage(info: ImageInfo, expected: DiskFormat | undefined, location: string): void {
  if (expected && info.format !== expected) {
    throw new AtomlabError(`${location}: expected a ${expected} image, got ${info.format}`, {
      code: 'FAILED',
      hint: 'fix the format in the image source (or catalog entry)',
    });
  }
  if (info.backingFile) {
    throw new AtomlabError(`${location}: a downloaded image must not name a backing file (${info.backingFile})`, {
      code: 'FAILED',
      hint: 'a base image with a backing file could read any file on this host; use a self-contained image',
    });
  }
}
