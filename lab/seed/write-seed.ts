import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomlabError } from '../errors/index.js';
import { DRIVES, isDrive, writeDriveImage, type DriveTransport } from './drives.js';
import { guestinfoKeys } from './guestinfo-keys.js';
import type { SeedData, SeedMedium, SeedTransport } from './seed-types.js';
import { userDataText } from './user-data-mime.js';

export interface WriteSeedRequest {
  data: SeedData;
  transport: SeedTransport;
  /** The VM's directory: drive images are written into it (0600, atomically). */
  dir: string;
}

async function writeDrive(transport: DriveTransport, data: SeedData, dir: string): Promise<SeedMedium> {
  const drive = DRIVES[transport];
  const path = join(dir, drive.file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeDriveImage(drive, data, path);
  return { kind: 'drive', transport, path, filesystem: drive.filesystem, label: drive.label, attachAs: drive.attachAs };
}

/** Ignition configs are not made from cloud-init data. */
export function refuseIgnition(transport: SeedTransport): never {
  throw new AtomlabError(`a ${transport} seed is not written from cloud-init data`, {
    code: 'BAD_INPUT',
    hint: 'Ignition configs are not written by atomlab; use an image provisioned by cloud-init',
  });
}

/**
 * Writes one VM's seed in the transport its provider carries: a drive image in `dir` (NoCloud
 * or config-2, ISO as a CD-ROM or vfat as a disk), VMware guestinfo keys, or the user-data a
 * cloud's metadata service takes. The result is what the provider attaches.
 */
export async function writeSeed(request: WriteSeedRequest): Promise<SeedMedium> {
  const { data, transport, dir } = request;
  if (isDrive(transport)) return writeDrive(transport, data, dir);
  if (transport === 'guestinfo') return { kind: 'keys', transport, keys: guestinfoKeys(data) };
  if (transport === 'userdata') return { kind: 'userdata', transport, text: await userDataText(data) };
  return refuseIgnition(transport);
}
