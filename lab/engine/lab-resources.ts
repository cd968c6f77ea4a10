import { dirname } from 'node:path';
import { hasLabHooks, type LabResource, type ProviderRegistry } from '../provider/index.js';
import type { ProviderPlan, VmPlan } from '../plan/index.js';
import type { RecordedResource, StateStore } from '../state/index.js';
import type { LabSession } from './lab-session.js';
import type { EventSink } from './events.js';

const sameResource = (a: LabResource, b: LabResource) => a.provider === b.provider && a.kind === b.kind && a.id === b.id;

/** The lab's VMs grouped by provider and options: one prepareLab per group. */
function providerGroups(vms: VmPlan[]): { provider: ProviderPlan; vms: VmPlan[] }[] {
  const groups = new Map<string, { provider: ProviderPlan; vms: VmPlan[] }>();
  for (const vm of vms) {
    const key = `${vm.provider.name}:${JSON.stringify(vm.provider.options)}`;
    const group = groups.get(key) ?? { provider: vm.provider, vms: [] };
    group.vms.push(vm);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * Before the first VM: each provider with lab hooks makes (or finds again) its lab-wide
 * resources. Each is written to the state before the provider makes it, so `down` removes it
 * even after a crash mid-way.
 */
export async function prepareLabResources(session: LabSession, vms: VmPlan[], publicKey: string): Promise<void> {
  for (const group of providerGroups(vms)) {
    const provider = await session.provider(group.provider);
    if (!hasLabHooks(provider)) continue;
    const record = async (resource: LabResource) => {
      await session.store.update((state) => {
        const known = (state.resources ??= []);
        if (!known.some((existing) => sameResource(existing, resource))) known.push({ ...resource, providerOptions: group.provider.options });
      });
    };
    await provider.prepareLab({ name: session.plan.name, stateDir: session.plan.stateDir, publicKey, vms: group.vms }, record, session.signal);
  }
}

/** The resources a provider recorded for this lab (what its `create` may use). */
export function labResourcesOf(store: StateStore, provider: string): LabResource[] {
  return (store.current.resources ?? []).filter((resource) => resource.provider === provider).map(({ providerOptions: _options, ...resource }) => resource);
}

/**
 * After the last VM is gone: each provider removes what it recorded; what it removed leaves the
 * state. Every group is tried; the failures come back together.
 */
export async function teardownLabResources(store: StateStore, providers: ProviderRegistry, events: EventSink): Promise<unknown[]> {
  const groups = new Map<string, RecordedResource[]>();
  for (const resource of store.current.resources ?? []) {
    const key = `${resource.provider}:${JSON.stringify(resource.providerOptions)}`;
    groups.set(key, [...(groups.get(key) ?? []), resource]);
  }
  const failures: unknown[] = [];
  for (const resources of groups.values()) {
    const first = resources[0]!;
    try {
      const provider = await providers.load(first.provider, first.providerOptions, { log: (message) => events({ kind: 'warning', message }) });
      if (hasLabHooks(provider)) await provider.teardownLab({ name: store.current.lab, stateDir: dirname(store.file) }, resources);
      await store.update((state) => void (state.resources = (state.resources ?? []).filter((known) => !resources.some((gone) => sameResource(gone, known)))));
    } catch (error) {
      failures.push(error);
    }
  }
  return failures;
}
