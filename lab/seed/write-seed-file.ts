import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { DRIVES, isDrive, writeDriveImage } from './drives.js';
import { guestinfoKeys, vmxLines } from './guestinfo-keys.js';
import type { SeedData, SeedTransport } from './seed-types.js';
import { userDataText } from './user-data-mime.js';
import { requireValidIgnition } from '../ignition/index.js';

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
 * Writes one seed to a file of the user's choosing, for a hypervisor run by hand: a NoCloud or
 * config-2 drive image, guestinfo keys as `.vmx` lines, or the user-data for a cloud.
 */
export async function writeSeedFile(request: WriteSeedFileRequest): Promise<void> {
  const { data, transport, output } = request;
  if (isDrive(transport)) return writeDriveImage(DRIVES[transport], data, output);
  if (transport === 'ignition') {
    if (!data.ignition) throw new AtomlabError(`no Ignition config was rendered for ${data.name}: its image is provisioned by cloud-init`, { code: 'BAD_INPUT', hint: 'use --format nocloud or configdrive, or an image whose catalog entry says config: ignition' });
    return writeFileAtomic(output, await requireValidIgnition(data.ignition, data.name), { mode: 0o600, durable: false });
  }
  const text = transport === 'guestinfo' ? vmxLines(guestinfoKeys(data)) : await userDataText(data);
  await writeFileAtomic(output, text, { mode: 0o600, durable: false });
}
