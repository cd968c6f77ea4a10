import { join } from 'node:path';
import { metaDataYaml, writeCidata } from '../cidata/index.js';
import { AtomlabError } from '../errors/index.js';
import type { SeedData, SeedMedium, SeedTransport } from './seed-types.js';

export interface WriteSeedRequest {
  data: SeedData;
  transport: SeedTransport;
  /** The VM's directory: seed files are written here, 0600 (they hold passwords and host keys). */
  dir: string;
}

/** NoCloud on an ISO 9660 CD-ROM labelled `cidata`: the in-process writer. */
async function nocloudIso(request: WriteSeedRequest): Promise<SeedMedium> {
  const path = join(request.dir, 'seed.iso');
  const { data } = request;
  await writeCidata(path, { userData: data.userData, metaData: metaDataYaml(data.metaData), vendorData: data.vendorData, mode: 0o600 });
  return { kind: 'drive', transport: 'nocloud', path, filesystem: 'iso9660', label: 'cidata', attachAs: 'cdrom' };
}

const WRITERS: Partial<Record<SeedTransport, (request: WriteSeedRequest) => Promise<SeedMedium>>> = {
  nocloud: nocloudIso,
};

/** Writes one VM's seed in the transport its plan chose, ready for the provider to attach. */
export async function writeSeed(request: WriteSeedRequest): Promise<SeedMedium> {
  const writer = WRITERS[request.transport];
  if (!writer) {
    throw new AtomlabError(`this atomlab cannot write a ${request.transport} seed`, { code: 'BAD_INPUT', hint: 'use seed: nocloud' });
  }
  return writer(request);
}
