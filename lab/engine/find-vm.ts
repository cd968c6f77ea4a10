import { AtomlabError } from '../errors/index.js';
import { loadProvider, type Provider, type VmRef } from '../provider/index.js';
import type { ProviderName } from '../scenario/index.js';
import { labPaths, labStateDir, readState, type LabPaths, type VmRecord } from '../state/index.js';

export interface FoundVm {
  record: VmRecord & { ref: VmRef };
  provider: Provider;
  paths: LabPaths;
}

/** A VM of the lab by name, from the state (`ssh`, `console`, `snapshot` use it). */
export async function findVm(file: string, name: string): Promise<FoundVm> {
  const paths = labPaths(labStateDir(file));
  const state = await readState(paths.stateFile);
  const record = state?.vms[name];
  if (!record?.ref) {
    const known = Object.keys(state?.vms ?? {});
    throw new AtomlabError(`no VM named ${name} in this lab${state ? '' : ' (it is not up)'}`, {
      code: 'BAD_INPUT',
      hint: known.length ? `VMs: ${known.join(', ')}` : `bring it up with: atomlab up ${file}`,
      context: { vm: name },
    });
  }
  const provider = await loadProvider(record.provider as ProviderName, record.providerOptions);
  return { record: record as VmRecord & { ref: VmRef }, provider, paths };
}
