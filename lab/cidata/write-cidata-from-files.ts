import { readFile } from 'node:fs/promises';
import { AtomlabError } from '../errors/index.js';
import type { IsoSummary } from '../iso9660/index.js';
import { checkMetaData, checkUserData } from './check-seed-files.js';
import { writeCidata } from './write-cidata.js';

/** Paths of the seed files, as `cloud-localds` takes them. */
export interface CidataFilePaths {
  userData: string;
  metaData: string;
  networkConfig?: string;
  vendorData?: string;
  volumeId?: string;
}

async function readInput(path: string, role: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (cause as Error).message;
    throw new AtomlabError(`cannot read ${role} file ${path}: ${reason}`, {
      code: 'BAD_INPUT',
      hint: `check the --${role} path`,
      context: { file: path },
      cause,
    });
  }
}

/** The seed files' contents, read and checked. */
export interface SeedFileContents {
  userData: Buffer;
  metaData: Buffer;
  networkConfig?: Buffer;
  vendorData?: Buffer;
}

/** Reads the seed files and checks user-data and meta-data (file:line:col on bad YAML). */
export async function readSeedFiles(paths: CidataFilePaths): Promise<SeedFileContents> {
  const userData = await readInput(paths.userData, 'user-data');
  const metaData = await readInput(paths.metaData, 'meta-data');
  const networkConfig = paths.networkConfig === undefined ? undefined : await readInput(paths.networkConfig, 'network-config');
  const vendorData = paths.vendorData === undefined ? undefined : await readInput(paths.vendorData, 'vendor-data');
  checkUserData(userData.toString('utf8'), paths.userData);
  checkMetaData(metaData.toString('utf8'), paths.metaData);
  return { userData, metaData, networkConfig, vendorData };
}

/** Reads and checks the seed files, then writes the ISO (all or nothing). */
export async function writeCidataFromFiles(outputPath: string, paths: CidataFilePaths): Promise<IsoSummary> {
  return writeCidata(outputPath, { ...(await readSeedFiles(paths)), volumeId: paths.volumeId });
}
