import type { Capacity } from './capacity.js';

/** One new VM's needs and the site it goes to. */
export interface Demand {
  vm: string;
  site: string;
  cpus: number;
  memoryMiB: number;
}

/** A site the lab's new VMs do not fit on, with the figures. */
export interface Shortfall {
  site: string;
  message: string;
}

function sum(demands: Demand[], key: 'cpus' | 'memoryMiB'): number {
  return demands.reduce((total, demand) => total + demand[key], 0);
}

function siteShortfall(capacity: Capacity, demands: Demand[]): string[] {
  const lines: string[] = [];
  const memory = sum(demands, 'memoryMiB');
  const cpus = sum(demands, 'cpus');
  if (memory > capacity.memoryMiB) lines.push(`${demands.length} VM(s) need ${memory} MiB of memory, ${capacity.label} has ${capacity.memoryMiB} MiB for them`);
  if (cpus > capacity.cpus) lines.push(`${demands.length} VM(s) need ${cpus} vCPUs, ${capacity.label} has ${capacity.cpus} for them`);
  for (const demand of demands) {
    if (demand.cpus > capacity.threads) lines.push(`${demand.vm} wants ${demand.cpus} vCPUs, ${capacity.label} has ${capacity.threads} CPU threads`);
  }
  return lines.length ? [`${lines.slice(0, 4).join('; ')} (${capacity.source})`] : [];
}

/** Adds up each site's new VMs against its capacity; every site that does not fit is named. */
export function checkFit(demands: Demand[], capacities: Capacity[]): Shortfall[] {
  return capacities.flatMap((capacity) => {
    const lines = siteShortfall(capacity, demands.filter((demand) => demand.site === capacity.site));
    return lines.length ? [{ site: capacity.site, message: lines.join('; ') }] : [];
  });
}
