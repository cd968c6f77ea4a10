import type { Capacity } from './capacity.js';

export type Placement = 'fill' | 'spread';

export interface PlaceRequest {
  vm: string;
  cpus: number;
  memoryMiB: number;
}

export interface PlaceResult {
  /** VM name → site. */
  sites: Map<string, string>;
  /** VMs no host had room for (placed anyway on the roomiest host, for --force). */
  overflow: string[];
}

interface Room {
  capacity: Capacity;
  memoryMiB: number;
  cpus: number;
  count: number;
}

function fits(room: Room, vm: PlaceRequest): boolean {
  return room.memoryMiB >= vm.memoryMiB && room.cpus >= vm.cpus && room.capacity.threads >= vm.cpus;
}

/** fill: the host with the most memory at the start, until full, then the next; spread: fewest VMs first. */
function order(rooms: Room[], mode: Placement): Room[] {
  if (mode === 'spread') return [...rooms].sort((a, b) => a.count - b.count || b.memoryMiB - a.memoryMiB);
  return [...rooms].sort((a, b) => b.capacity.memoryMiB - a.capacity.memoryMiB);
}

/**
 * Places new VMs on hosts, in scenario order. `fill` packs the host with the most memory first;
 * `spread` deals them out evenly. `count` starts at the VMs already placed on each host.
 */
export function placeVms(vms: PlaceRequest[], capacities: Capacity[], mode: Placement, existing: Map<string, number> = new Map()): PlaceResult {
  const rooms: Room[] = capacities.map((capacity) => ({ capacity, memoryMiB: capacity.memoryMiB, cpus: capacity.cpus, count: existing.get(capacity.site) ?? 0 }));
  const sites = new Map<string, string>();
  const overflow: string[] = [];
  for (const vm of vms) {
    let room = order(rooms, mode).find((candidate) => fits(candidate, vm));
    if (!room) {
      overflow.push(vm.vm);
      room = [...rooms].sort((a, b) => b.memoryMiB - a.memoryMiB)[0]!;
    }
    room.memoryMiB -= vm.memoryMiB;
    room.cpus -= vm.cpus;
    room.count += 1;
    sites.set(vm.vm, room.capacity.site);
  }
  return { sites, overflow };
}
