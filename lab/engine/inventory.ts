import { hasInventory, type Inventory, type LabInfo, type Provider, type ProviderRegistry, type TaggedResource } from '../provider/index.js';
import type { LabPlan, ProviderPlan } from '../plan/index.js';
import type { LabState } from '../state/index.js';

/**
 * What billable providers find by tag in their clouds (the Inventory ability), beside what the
 * state file knows: `status` shows the difference, `down` removes it, `down --images` removes
 * the uploaded images. Providers are asked with the options the lab used (its state's, else its
 * plan's), each distinct name and options once.
 */

export type LabTarget = Pick<LabInfo, 'name' | 'stateDir'>;

/** Tagged resources of one provider: what it found (or removed), or why it could not look. */
export interface TaggedReport {
  provider: string;
  resources: TaggedResource[];
  error?: string;
}

/** The providers a lab's state says it used: its VMs' and its lab resources'. */
export function providersOfState(state: LabState | undefined): ProviderPlan[] {
  if (!state) return [];
  const vms = Object.values(state.vms).map((vm) => ({ name: vm.provider, options: vm.providerOptions }));
  const resources = (state.resources ?? []).map((resource) => ({ name: resource.provider, options: resource.providerOptions }));
  return [...vms, ...resources];
}

export function providersOfPlan(plan: LabPlan | undefined): ProviderPlan[] {
  return plan ? plan.vms.map((vm) => vm.provider) : [];
}

/** A billable provider with Inventory, loaded with one lab's options; or why it could not be. */
interface Loaded {
  name: string;
  provider?: Provider & Inventory;
  error?: unknown;
}

/** The billable providers with Inventory among these, each distinct name and options loaded once. */
async function inventories(plans: ProviderPlan[], registry: ProviderRegistry): Promise<Loaded[]> {
  const distinct = new Map<string, ProviderPlan>();
  for (const plan of plans) if (registry.names().includes(plan.name) && registry.get(plan.name).billable) distinct.set(`${plan.name}:${JSON.stringify(plan.options)}`, plan);
  const loaded = await Promise.all([...distinct.values()].map((plan) => registry.load(plan.name, plan.options).then((provider) => ({ name: plan.name, provider }), (error: unknown) => ({ name: plan.name, error }))));
  return loaded.flatMap((found): Loaded[] => ('error' in found ? [found] : hasInventory(found.provider) ? [{ name: found.name, provider: found.provider }] : []));
}

/** Every id the state holds: recorded lab resources', and the string values of its VMs' refs (instance ids). */
function knownIds(state: LabState | undefined): Set<string> {
  const refs = Object.values(state?.vms ?? {}).flatMap((vm) => Object.values(vm.ref?.data ?? {}));
  const resources = (state?.resources ?? []).map((resource) => resource.id);
  return new Set([...refs, ...resources].filter((value): value is string => typeof value === 'string'));
}

async function ask(found: Loaded, run: (provider: Provider & Inventory) => Promise<TaggedResource[]>): Promise<TaggedReport> {
  try {
    if (!found.provider) throw found.error;
    return { provider: found.name, resources: await run(found.provider) };
  } catch (error) {
    return { provider: found.name, resources: [], error: error instanceof Error ? error.message : String(error) };
  }
}

/** `status`: per provider, what carries the lab's tag that the state does not know, nor what it belongs to (only providers with something to say). */
export async function untrackedResources(lab: LabTarget, state: LabState | undefined, plans: ProviderPlan[], registry: ProviderRegistry): Promise<TaggedReport[]> {
  const known = knownIds(state);
  const reports = await Promise.all((await inventories(plans, registry)).map((found) => ask(found, async (provider) => (await provider.labResources(lab)).filter((resource) => !known.has(resource.id) && !(resource.owner !== undefined && known.has(resource.owner))))));
  return reports.filter((report) => report.error !== undefined || report.resources.length > 0);
}

/** Runs one removal on every provider; what each removed, or every failure thrown together. */
async function removeEach(found: Loaded[], remove: (provider: Provider & Inventory) => Promise<TaggedResource[]>): Promise<TaggedReport[]> {
  const results = await Promise.allSettled(found.map(async ({ name, provider, error }) => ({ provider: name, resources: provider ? await remove(provider) : await Promise.reject(error) })));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length > 0) throw failures.length === 1 ? failures[0] : new AggregateError(failures, `${failures.length} providers could not remove what they made`);
  return results.flatMap((result) => (result.status === 'fulfilled' && result.value.resources.length > 0 ? [result.value] : []));
}

/** `down`: after the state's own teardown, everything still carrying the lab's tag. */
export async function removeTaggedResources(lab: LabTarget, plans: ProviderPlan[], registry: ProviderRegistry): Promise<TaggedReport[]> {
  return removeEach(await inventories(plans, registry), (provider) => provider.removeLabResources(lab));
}

/** `down --images`: every image the providers uploaded (shared between labs by digest). */
export async function removeProviderImages(plans: ProviderPlan[], registry: ProviderRegistry): Promise<TaggedReport[]> {
  return removeEach(await inventories(plans, registry), (provider) => provider.removeImages());
}
