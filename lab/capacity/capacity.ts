import type { HostResources } from '../provider/index.js';

/** vCPUs per host CPU thread a lab may use when a host declares none: lab guests idle most of the time (OpenStack allowed 16 by default for years). */
export const CPU_OVERCOMMIT = 8;

/** Memory left to the host itself when its capacity is measured: 5% of it, at least 512 MiB. */
export function memoryReserveMiB(totalMiB: number): number {
  return Math.max(512, Math.ceil(totalMiB * 0.05));
}

/** What a host may give the lab's new VMs. */
export interface Capacity {
  /** The site's key: a libvirt URI, or `qemu` for this machine. */
  site: string;
  /** How messages name it. */
  label: string;
  cpus: number;
  memoryMiB: number;
  /** The host's own CPU threads: no single VM may have more. */
  threads: number;
  /** How the figures were found, for messages. */
  source: string;
}

/** What the scenario's `hosts:` entry says (absent figures are measured). */
export interface Declared {
  cpus?: number;
  memoryMiB?: number;
}

/** A host's capacity: what `hosts:` declares, else measured (available memory less a reserve). */
export function capacityOf(site: string, resources: HostResources, declared: Declared = {}): Capacity {
  const reserve = memoryReserveMiB(resources.memoryMiB);
  const measuredMemory = Math.max(0, resources.availableMiB - reserve);
  const memorySource = declared.memoryMiB === undefined ? `${resources.availableMiB} MiB available less ${reserve} MiB kept for the host` : 'memory from hosts:';
  const cpuSource = declared.cpus === undefined ? `${resources.cpus} CPU threads × ${CPU_OVERCOMMIT}` : 'cpus from hosts:';
  return {
    site,
    label: resources.host,
    cpus: declared.cpus ?? resources.cpus * CPU_OVERCOMMIT,
    memoryMiB: declared.memoryMiB ?? measuredMemory,
    threads: resources.cpus,
    source: `${memorySource}; ${cpuSource}`,
  };
}
