import { join } from 'node:path';
import { metaDataYaml, writeCidata } from '../cidata/index.js';
import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { IGNITION_FWCFG_NAME, requireValidIgnition } from '../ignition/index.js';
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

/**
 * Ignition: the config as a file QEMU passes by fw_cfg (`opt/com.coreos/config`), after the
 * real judge, ignition-validate, accepted it. Other hypervisors carry the same file their way
 * (VMware guestinfo: lab/ignition ignitionGuestinfo; clouds: user-data).
 */
async function ignitionFile(request: WriteSeedRequest): Promise<SeedMedium> {
  const { data } = request;
  if (!data.ignition) throw new AtomlabError(`no Ignition config was rendered for ${data.name}`, { code: 'FAILED' });
  const text = await requireValidIgnition(data.ignition, data.name);
  const path = join(request.dir, 'config.ign');
  await writeFileAtomic(path, text, { mode: 0o600 });
  return { kind: 'fwcfg', transport: 'ignition', name: IGNITION_FWCFG_NAME, path };
}

const WRITERS: Partial<Record<SeedTransport, (request: WriteSeedRequest) => Promise<SeedMedium>>> = {
  nocloud: nocloudIso,
  ignition: ignitionFile,
};

/** Writes one VM's seed in the transport its plan chose, ready for the provider to attach. */
export async function writeSeed(request: WriteSeedRequest): Promise<SeedMedium> {
  const writer = WRITERS[request.transport];
  if (!writer) {
    throw new AtomlabError(`this atomlab cannot write a ${request.transport} seed`, { code: 'BAD_INPUT', hint: 'use seed: nocloud' });
  }
  return writer(request);
}
