import { AtomlabError } from '../errors/index.js';
import type { Provider, ProviderRegistry, VmRef } from '../provider/index.js';
import { labPaths, labStateDirs, readState, type LabPaths, type VmRecord } from '../state/index.js';

export interface FoundVm {
  record: VmRecord & { ref: VmRef };
  provider: Provider;
  paths: LabPaths;
}

/** Every VM the scenario's labs hold, as users name them: `vm`, or `<combination>/vm` in a matrix. */
async function knownVms(file: string): Promise<Map<string, { record: VmRecord; paths: LabPaths }>> {
  const known = new Map<string, { record: VmRecord; paths: LabPaths }>();
  for (const entry of await labStateDirs(file)) {
    const paths = labPaths(entry.dir);
    const state = await readState(paths.stateFile);
    for (const record of Object.values(state?.vms ?? {})) known.set(entry.combinationKey ? `${entry.combinationKey}/${record.name}` : record.name, { record, paths });
  }
  return known;
}

/** A VM of the lab by name (`<combination>/<vm>` in a matrix), from the state (`ssh`, `console`, `snapshot` use it). */
export async function findVm(file: string, name: string, providers: ProviderRegistry): Promise<FoundVm> {
  const known = await knownVms(file);
  const found = known.get(name);
  if (!found?.record.ref) {
    const names = [...known.keys()];
    throw new AtomlabError(`no VM named ${name} in this lab${names.length ? '' : ' (it is not up)'}`, {
      code: 'BAD_INPUT',
      hint: names.length ? `VMs: ${names.join(', ')}` : `bring it up with: atomlab up ${file}`,
      context: { vm: name },
    });
  }
  const provider = await providers.load(found.record.provider, found.record.providerOptions);
  return { record: found.record as VmRecord & { ref: VmRef }, provider, paths: found.paths };
}
