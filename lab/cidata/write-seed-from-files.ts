import { AtomlabError } from '../errors/index.js';
import { writeSeedFile, writeVfatDrive, type DriveFiles, type SeedData, type SeedTransport } from '../seed/index.js';
import { readMapping } from './check-seed-files.js';
import { writeCidata } from './write-cidata.js';
import { readSeedFiles, type CidataFilePaths, type SeedFileContents } from './write-cidata-from-files.js';

export interface SeedFromFilesOptions {
  paths: CidataFilePaths;
  transport: SeedTransport;
  output: string;
}

/** NoCloud's files as given, byte for byte (as cloud-localds writes them). */
function verbatim(files: SeedFileContents): DriveFiles {
  const drive: DriveFiles = { 'user-data': files.userData, 'meta-data': files.metaData };
  if (files.networkConfig) drive['network-config'] = files.networkConfig;
  if (files.vendorData) drive['vendor-data'] = files.vendorData;
  return drive;
}

/** The seed the files describe: instance-id and local-hostname from the meta-data. */
export function seedDataFromFiles(files: SeedFileContents, paths: CidataFilePaths): SeedData {
  const metaData = readMapping(files.metaData.toString('utf8'), paths.metaData, 'meta-data must be a YAML mapping');
  const hostname = String(metaData['local-hostname'] ?? metaData.hostname ?? '');
  const data: SeedData = { instanceId: String(metaData['instance-id'] ?? ''), hostname, name: hostname, userData: files.userData.toString('utf8'), metaData, publicKeys: [] };
  if (files.networkConfig) data.networkConfig = readMapping(files.networkConfig.toString('utf8'), paths.networkConfig ?? 'network-config', 'network-config must be a YAML mapping (version: 1 or 2)');
  if (files.vendorData) data.vendorData = files.vendorData.toString('utf8');
  return data;
}

/**
 * `atomlab cidata` from files: NoCloud keeps the files as they are (ISO, or vfat); config-2,
 * guestinfo and user-data are made from what they say.
 */
export async function writeSeedFromFiles(options: SeedFromFilesOptions): Promise<void> {
  const { paths, transport, output } = options;
  const files = await readSeedFiles(paths);
  if (paths.volumeId !== undefined && transport !== 'nocloud') {
    throw new AtomlabError('--volid applies to a NoCloud ISO only', { code: 'BAD_INPUT', hint: 'a config drive is labelled config-2 by --format configdrive' });
  }
  if (transport === 'nocloud-vfat') return writeVfatDrive({ path: output, files: verbatim(files), label: 'cidata' });
  if (transport === 'nocloud') {
    await writeCidata(output, { ...files, volumeId: paths.volumeId });
    return;
  }
  await writeSeedFile({ data: seedDataFromFiles(files, paths), transport, output });
}
