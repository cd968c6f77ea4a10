import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processesUsing, terminate } from '../files/index.js';
import type { ProviderRegistry, VmRef } from '../provider/index.js';
import type { LabPaths, UnreadableStateError } from '../state/index.js';
import type { EventSink } from './events.js';

interface SalvagedVm {
  name: string;
  provider: string;
  providerOptions: Record<string, unknown>;
  ref: VmRef;
}

/** The VM records a state file still names when it parsed (a newer atomlab's): those with a provider and a ref. */
function salvagedVms(parsed: unknown): SalvagedVm[] {
  const vms = (parsed as { vms?: unknown } | undefined)?.vms;
  if (!vms || typeof vms !== 'object') return [];
  return Object.values(vms as Record<string, Partial<SalvagedVm>>).filter(
    (vm): vm is SalvagedVm => typeof vm?.name === 'string' && typeof vm.provider === 'string' && typeof vm.ref === 'object' && vm.ref !== null,
  );
}

async function destroySalvaged(vm: SalvagedVm, providers: ProviderRegistry, events: EventSink): Promise<boolean> {
  try {
    const provider = await providers.load(vm.provider, vm.providerOptions ?? {}, { log: (message) => events({ kind: 'warning', vm: vm.name, message }) });
    await provider.destroy(vm.ref);
    return true;
  } catch (error) {
    events({ kind: 'warning', vm: vm.name, message: `could not remove ${vm.name} as the unreadable state names it: ${error instanceof Error ? error.message : String(error)}` });
    return false;
  }
}

/** Stops this machine's processes working in the lab's VM and server directories (QEMUs, file servers). */
async function stopLabProcesses(paths: LabPaths, events: EventSink): Promise<void> {
  const found = [...(await processesUsing(join(paths.root, 'vms'))), ...(await processesUsing(paths.serveDir))];
  for (const { pid, command } of found) events({ kind: 'warning', message: `stopping pid ${pid}, which works in the lab's directory: ${command.slice(0, 200)}` });
  await Promise.all(found.map(({ pid }) => terminate(pid)));
}

/**
 * `down --force` for a lab whose state file cannot be read (damaged, or a newer atomlab's):
 * removes what can be found without it. The VMs a parsed file still names are destroyed
 * through their providers; every process of this machine working in the lab's directories is
 * stopped; the lab's files (disks, seeds, keys, logs, the state file) are removed. Returns the
 * VM names whose directories or records it found.
 */
export async function forceDownLab(paths: LabPaths, unreadable: UnreadableStateError, providers: ProviderRegistry, events: EventSink): Promise<string[]> {
  events({ kind: 'warning', message: `${unreadable.message}: removing what can be found without it` });
  const vms = salvagedVms(unreadable.parsed);
  for (const vm of vms) await destroySalvaged(vm, providers, events);
  await stopLabProcesses(paths, events);
  const dirs = await readdir(join(paths.root, 'vms')).catch(() => [] as string[]);
  await Promise.all([join(paths.root, 'vms'), paths.keysDir, paths.serveDir, paths.stateFile].map((path) => rm(path, { recursive: true, force: true })));
  events({ kind: 'warning', message: 'VMs this machine does not run itself (a libvirt domain, a cloud instance) and the unreadable state did not name are not found this way: look for names starting with atomlab-' });
  return [...new Set([...vms.map((vm) => vm.name), ...dirs])];
}
