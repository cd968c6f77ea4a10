import { mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeSeed, type SeedTransport } from '../seed/index.js';
import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { hostKeyFingerprint } from '../ready/index.js';
import type { LoadedScenario } from '../scenario/index.js';
import { labPaths } from '../state/index.js';
import { qualifiedName } from './up.js';
import { ensureLabKey, renderVmSeed } from './vm-seed.js';

export interface SeedForVm {
  output: string;
  user: string;
  labKey: string;
  hostKeyFingerprint: string;
  /** Where a generated password was written (0600), when the scenario asks for one. */
  passwordFile?: string;
}

/** Writes a seed drive in a temporary directory beside `output`, then moves the drive file to `output`. */
async function writeSeedFile(data: Parameters<typeof writeSeed>[0]['data'], transport: SeedTransport, output: string): Promise<void> {
  const dir = await mkdtemp(join(dirname(resolve(output)), '.atomlab-seed-'));
  try {
    const medium = await writeSeed({ data, transport, dir });
    if (medium.kind !== 'drive' && medium.kind !== 'fwcfg') throw new AtomlabError(`a ${transport} seed is not a file: it cannot be written to ${output}`, { code: 'BAD_INPUT', hint: 'use --format nocloud or configdrive' });
    await rename(medium.path, output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes the seed `up` would give one VM of a scenario, for a hypervisor the user runs by hand
 * (VMware Player, virt-manager): same user, keys and cloud-config; a fresh instance-id.
 */
export interface SeedForVmRequest {
  loaded: LoadedScenario;
  vm: string;
  /** The seed file (an ISO or vfat image). */
  output: string;
  /** Default: the transport the VM's plan chose. */
  transport?: SeedTransport;
}

export async function seedForVm(request: SeedForVmRequest): Promise<SeedForVm> {
  const { loaded, vm, output } = request;
  const { plans } = loaded;
  const scenario = loaded.plan.file;
  const named = plans.flatMap((plan) => plan.vms.map((vmPlan) => ({ plan, vmPlan, name: qualifiedName(plan, vmPlan.name) })));
  const found = named.find((candidate) => candidate.name === vm);
  if (!found) {
    throw new AtomlabError(`no VM named ${vm} in ${scenario}`, { code: 'BAD_INPUT', hint: `VMs: ${named.map((v) => v.name).join(', ')}` });
  }
  const { plan, vmPlan } = found;
  const paths = labPaths(plan.stateDir);
  const labKey = await ensureLabKey(paths, plan.name);
  const seed = renderVmSeed(vmPlan, labKey);
  await writeSeedFile(seed.data, request.transport ?? vmPlan.seed, output);
  let passwordFile: string | undefined;
  if (vmPlan.login.password?.kind === 'generate') {
    passwordFile = `${output}.password`;
    await writeFileAtomic(passwordFile, `${seed.secrets.password}\n`, { mode: 0o600 });
  }
  return { output, user: vmPlan.login.user, labKey: paths.privateKey, hostKeyFingerprint: hostKeyFingerprint(seed.hostKey), passwordFile };
}
