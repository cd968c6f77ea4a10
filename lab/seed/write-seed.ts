import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomlabError } from '../errors/index.js';
import { configDriveFiles } from './config-drive-files.js';
import { nocloudFiles, type DriveFiles } from './drive-files.js';
import { guestinfoKeys } from './guestinfo-keys.js';
import type { SeedData, SeedMedium, SeedTransport } from './seed-types.js';
import { userDataText } from './user-data-mime.js';
import { writeIsoDrive, writeVfatDrive } from './write-drive.js';

export interface WriteSeedRequest {
  data: SeedData;
  transport: SeedTransport;
  /** The VM's directory: drive images are written into it (0600, atomically). */
  dir: string;
}

type DriveTransport = 'nocloud' | 'nocloud-vfat' | 'configdrive' | 'configdrive-vfat';

/** Each drive transport: its files, filesystem, label, file name and how it is attached. */
const DRIVES: Record<DriveTransport, { files: (data: SeedData) => DriveFiles; filesystem: 'iso9660' | 'vfat'; label: 'cidata' | 'config-2'; file: string }> = {
  nocloud: { files: nocloudFiles, filesystem: 'iso9660', label: 'cidata', file: 'seed.iso' },
  'nocloud-vfat': { files: nocloudFiles, filesystem: 'vfat', label: 'cidata', file: 'seed.img' },
  configdrive: { files: configDriveFiles, filesystem: 'iso9660', label: 'config-2', file: 'config-2.iso' },
  'configdrive-vfat': { files: configDriveFiles, filesystem: 'vfat', label: 'config-2', file: 'config-2.img' },
};

function isDrive(transport: SeedTransport): transport is DriveTransport {
  return transport in DRIVES;
}

async function writeDrive(transport: DriveTransport, data: SeedData, dir: string): Promise<SeedMedium> {
  const drive = DRIVES[transport];
  const files = drive.files(data);
  const path = join(dir, drive.file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const write = drive.filesystem === 'iso9660' ? writeIsoDrive : writeVfatDrive;
  await write({ path, files, label: drive.label });
  return { kind: 'drive', transport, path, filesystem: drive.filesystem, label: drive.label, attachAs: drive.filesystem === 'iso9660' ? 'cdrom' : 'disk' };
}

/**
 * Writes one VM's seed in the transport its provider carries: a drive image in `dir` (NoCloud
 * or config-2, ISO as a CD-ROM or vfat as a disk), VMware guestinfo keys, or the user-data a
 * cloud's metadata service takes. The result is what the provider attaches.
 */
export async function writeSeed(options: WriteSeedRequest): Promise<SeedMedium> {
  const { data, transport, dir } = options;
  if (isDrive(transport)) return writeDrive(transport, data, dir);
  if (transport === 'guestinfo') return { kind: 'keys', transport, keys: guestinfoKeys(data) };
  if (transport === 'userdata') return { kind: 'userdata', transport, text: await userDataText(data) };
  throw new AtomlabError(`a ${transport} seed is not written from cloud-init data`, {
    code: 'BAD_INPUT',
    hint: 'Ignition configs are not written by atomlab; use an image provisioned by cloud-init',
  });
}
