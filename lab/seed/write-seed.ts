import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { IGNITION_FWCFG_NAME, requireValidIgnition } from '../ignition/index.js';
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

/**
 * Ignition: the config as a file (for QEMU's fw_cfg, `opt/com.coreos/config`) and as text, after
 * the real judge, ignition-validate, accepted it. The provider carries it: fw_cfg (QEMU,
 * libvirt), guestinfo keys (VMware: lab/ignition ignitionGuestinfo), user-data (clouds).
 */
async function ignitionFile(request: WriteSeedRequest): Promise<SeedMedium> {
  const { data } = request;
  if (!data.ignition) throw new AtomlabError(`no Ignition config was rendered for ${data.name}`, { code: 'FAILED' });
  const text = await requireValidIgnition(data.ignition, data.name);
  await mkdir(request.dir, { recursive: true, mode: 0o700 });
  const path = join(request.dir, 'config.ign');
  await writeFileAtomic(path, text, { mode: 0o600 });
  return { kind: 'ignition', transport: 'ignition', fwcfgName: IGNITION_FWCFG_NAME, path, text };
}

/**
 * Writes one VM's seed in the transport its provider carries: a drive image in `dir` (NoCloud
 * or config-2, ISO as a CD-ROM or vfat as a disk), VMware guestinfo keys, the user-data a
 * cloud's metadata service takes, or an Ignition config. The result is what the provider attaches.
 */
export async function writeSeed(request: WriteSeedRequest): Promise<SeedMedium> {
  const { data, transport, dir } = request;
  if (isDrive(transport)) return writeDrive(transport, data, dir);
  if (transport === 'guestinfo') return { kind: 'keys', transport, keys: guestinfoKeys(data) };
  if (transport === 'userdata') return { kind: 'userdata', transport, text: await userDataText(data) };
  return ignitionFile(request);
}
