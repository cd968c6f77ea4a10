import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { DRIVES, isDrive, writeDriveImage } from './drives.js';
import { guestinfoKeys, vmxLines } from './guestinfo-keys.js';
import type { SeedData, SeedTransport } from './seed-types.js';
import { userDataText } from './user-data-mime.js';
import { ignitionGuestinfo, ignitionUserData, requireValidIgnition } from '../ignition/index.js';

/** What `atomlab cidata --format` writes. */
export const SEED_FILE_FORMATS = ['nocloud', 'configdrive', 'guestinfo', 'userdata', 'ignition'] as const;
export type SeedFileFormat = (typeof SEED_FILE_FORMATS)[number];

/** The transport for `--format F [--fs iso|vfat]`; `--fs` only fits the drives. */
export function transportForFormat(format: SeedFileFormat, filesystem?: 'iso' | 'vfat'): SeedTransport {
  if (format === 'guestinfo' || format === 'userdata' || format === 'ignition') {
    if (filesystem === undefined) return format;
    throw new AtomlabError(`--fs applies to drive images, not to ${format}`, { code: 'BAD_INPUT', hint: 'drop --fs, or use --format nocloud|configdrive' });
  }
  return filesystem === 'vfat' ? `${format}-vfat` : format;
}

export interface WriteSeedFileRequest {
  data: SeedData;
  transport: SeedTransport;
  /** The file to write (mode 0600, replaced atomically). */
  output: string;
}

/**
 * An Ignition VM's seed as a file: the config itself (`ignition`, and `userdata`, which is how a
 * cloud carries it), or `.vmx` lines of the guestinfo keys Ignition's vmware platform reads.
 */
async function ignitionSeedText(data: SeedData, transport: SeedTransport): Promise<string> {
  if (!data.ignition) throw new AtomlabError(`no Ignition config was rendered for ${data.name}: its image is provisioned by cloud-init`, { code: 'BAD_INPUT', hint: 'use --format nocloud or configdrive, or an image whose catalog entry says config: ignition' });
  const text = await requireValidIgnition(data.ignition, data.name);
  return transport === 'guestinfo' ? vmxLines(ignitionGuestinfo(text)) : ignitionUserData(text);
}

/**
 * Writes one seed to a file of the user's choosing, for a hypervisor run by hand: a NoCloud or
 * config-2 drive image, guestinfo keys as `.vmx` lines, or the user-data for a cloud. For a VM
 * configured by Ignition, guestinfo and user-data carry its Ignition config, as `up` would.
 */
export async function writeSeedFile(request: WriteSeedFileRequest): Promise<void> {
  const { data, transport, output } = request;
  if (isDrive(transport)) return writeDriveImage(DRIVES[transport], data, output);
  if (transport === 'ignition' || (data.ignition && (transport === 'guestinfo' || transport === 'userdata'))) {
    return writeFileAtomic(output, await ignitionSeedText(data, transport), { mode: 0o600, durable: false });
  }
  const text = transport === 'guestinfo' ? vmxLines(guestinfoKeys(data)) : await userDataText(data);
  await writeFileAtomic(output, text, { mode: 0o600, durable: false });
}
