import { capacityOf, checkFit, placeVms, type Capacity, type Demand } from '../capacity/index.js';
import { AtomlabError } from '../errors/index.js';
import { hasResources } from '../provider/index.js';
import type { HostPlan, ProviderPlan, VmPlan } from '../plan/index.js';
import type { LabSession } from './lab-session.js';

export interface CapacityOptions {
  /** Start even when the lab does not fit (a warning instead of a refusal). */
  force?: boolean;
}

/** Where a VM runs, as a key: the provider and its URI (qemu runs on this machine). */
export function siteOf(provider: ProviderPlan): string {
  return `${provider.name}:${typeof provider.options.uri === 'string' ? provider.options.uri : ''}`;
}

function onHost(plan: VmPlan, uri: string): VmPlan {
  return { ...plan, provider: { ...plan.provider, options: { ...plan.provider.options, uri } } };
}

async function measure(session: LabSession, provider: ProviderPlan, declared?: HostPlan): Promise<Capacity | undefined> {
  const instance = await session.provider(provider);
  if (!hasResources(instance)) return undefined;
  return capacityOf(siteOf(provider), await instance.hostResources(), declared);
}

function isNew(session: LabSession, plan: VmPlan): boolean {
  return !session.store.current.vms[plan.name]?.ref;
}

/** Declared capacities hold the lab's VMs already there too: take those out first. */
function lessExisting(capacity: Capacity, host: HostPlan, placed: VmPlan[]): Capacity {
  const there = placed.filter((plan) => siteOf(plan.provider) === capacity.site);
  const used = (key: 'cpus' | 'memoryMiB') => there.reduce((total, plan) => total + plan[key], 0);
  return {
    ...capacity,
    cpus: host.cpus === undefined ? capacity.cpus : capacity.cpus - used('cpus'),
    memoryMiB: host.memoryMiB === undefined ? capacity.memoryMiB : capacity.memoryMiB - used('memoryMiB'),
  };
}

/** Existing placed VMs keep the host the state recorded; new ones are placed by the scenario's rule. */
async function place(session: LabSession, vms: VmPlan[]): Promise<{ plans: VmPlan[]; hosts: Capacity[] }> {
  const recorded = (plan: VmPlan) => String(session.store.current.vms[plan.name]!.providerOptions.uri);
  const kept = vms.map((plan) => (plan.placed && !isNew(session, plan) ? onHost(plan, recorded(plan)) : plan));
  const waiting = kept.filter((plan) => plan.placed && isNew(session, plan));
  const template = vms.find((plan) => plan.placed);
  if (!template) return { plans: kept, hosts: [] };
  const existing = kept.filter((plan) => plan.placed && !isNew(session, plan));
  const hosts = await Promise.all(
    session.plan.hosts.map(async (host) => lessExisting((await measure(session, onHost(template, host.uri).provider, host))!, host, existing)),
  );
  const counts = new Map(hosts.map((host) => [host.site, existing.filter((plan) => siteOf(plan.provider) === host.site).length]));
  const { sites } = placeVms(waiting.map((plan) => ({ vm: plan.name, cpus: plan.cpus, memoryMiB: plan.memoryMiB })), hosts, session.plan.placement, counts);
  const uriOf = new Map(session.plan.hosts.map((host) => [siteOf(onHost(template, host.uri).provider), host.uri]));
  return { plans: kept.map((plan) => (sites.has(plan.name) ? onHost(plan, uriOf.get(sites.get(plan.name)!)!) : plan)), hosts };
}

/**
 * Before anything starts: places the VMs that go across `hosts:`, then adds up every host's new
 * VMs against what it can give, refusing (or, with force, warning) when they do not fit.
 * Returns the plans to bring up, each on its host.
 */
export async function placeAndCheck(session: LabSession, vms: VmPlan[], options: CapacityOptions = {}): Promise<VmPlan[]> {
  const { plans, hosts } = await place(session, vms);
  const fresh = plans.filter((plan) => isNew(session, plan));
  const demands: Demand[] = fresh.map((plan) => ({ vm: plan.name, site: siteOf(plan.provider), cpus: plan.cpus, memoryMiB: plan.memoryMiB }));
  const others = [...new Map(fresh.filter((plan) => !hosts.some((host) => host.site === siteOf(plan.provider))).map((plan) => [siteOf(plan.provider), plan.provider])).values()];
  const measured = (await Promise.all(others.map((provider) => measure(session, provider)))).filter((capacity): capacity is Capacity => capacity !== undefined);
  const shortfalls = checkFit(demands, [...hosts, ...measured]);
  if (shortfalls.length === 0) return plans;
  const message = `the lab does not fit: ${shortfalls.map((shortfall) => shortfall.message).join(' | ')}`;
  if (!options.force) {
    throw new AtomlabError(message, { code: 'BAD_INPUT', hint: 'lower count, memory or cpus, add hosts:, or pass --force to start anyway' });
  }
  session.events({ kind: 'warning', message: `${message} (starting anyway: --force)` });
  return plans;
}
