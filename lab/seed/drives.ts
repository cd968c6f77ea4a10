import { configDriveFiles } from './config-drive-files.js';
import { nocloudFiles, type DriveFiles } from './drive-files.js';
import type { SeedData, SeedTransport } from './seed-types.js';
import { writeIsoDrive, writeVfatDrive } from './write-drive.js';

export type DriveTransport = 'nocloud' | 'nocloud-vfat' | 'configdrive' | 'configdrive-vfat';

export interface Drive {
  files: (data: SeedData) => DriveFiles;
  filesystem: 'iso9660' | 'vfat';
  label: 'cidata' | 'config-2';
  /** Its file name in a VM's directory. */
  file: string;
  attachAs: 'cdrom' | 'disk';
}

/** Each drive transport: its files, filesystem, label, file name and how it is attached. */
export const DRIVES: Record<DriveTransport, Drive> = {
  nocloud: { files: nocloudFiles, filesystem: 'iso9660', label: 'cidata', file: 'seed.iso', attachAs: 'cdrom' },
  'nocloud-vfat': { files: nocloudFiles, filesystem: 'vfat', label: 'cidata', file: 'seed.img', attachAs: 'disk' },
  configdrive: { files: configDriveFiles, filesystem: 'iso9660', label: 'config-2', file: 'config-2.iso', attachAs: 'cdrom' },
  'configdrive-vfat': { files: configDriveFiles, filesystem: 'vfat', label: 'config-2', file: 'config-2.img', attachAs: 'disk' },
};

export function isDrive(transport: SeedTransport): transport is DriveTransport {
  return transport in DRIVES;
}

/** Writes the drive image of `data` at `path` (0600, atomically). */
export async function writeDriveImage(drive: Drive, data: SeedData, path: string): Promise<void> {
  const files = drive.files(data);
  const write = drive.filesystem === 'iso9660' ? writeIsoDrive : writeVfatDrive;
  await write({ path, files, label: drive.label });
}
