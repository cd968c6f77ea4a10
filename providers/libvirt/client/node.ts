import { koffi } from './library.js';
import type { CallQueue } from './call.js';

/** What virNodeGetInfo tells about a host. */
export interface NodeInfo {
  model: string;
  memoryKiB: number;
  cpus: number;
}

/** All NUMA cells at once (VIR_NODE_MEMORY_STATS_ALL_CELLS). */
const ALL_CELLS = -1;

export async function nodeInfo(calls: CallQueue, conn: bigint): Promise<NodeInfo> {
  const info: Record<string, unknown> = {};
  await calls.run('virNodeGetInfo', [conn, info], 'negative');
  return { model: String(info.model), memoryKiB: Number(info.memory), cpus: Number(info.cpus) };
}

/** The host's memory figures in KiB by libvirt's field names (total, free, buffers, cached). */
export async function nodeMemoryStats(calls: CallQueue, conn: bigint): Promise<Record<string, number>> {
  const count = [0];
  await calls.run('virNodeGetMemoryStats', [conn, ALL_CELLS, null, count, 0], 'negative');
  const size = koffi.sizeof('virNodeMemoryStats');
  const buffer = Buffer.alloc(size * Math.max(1, count[0]!));
  await calls.run('virNodeGetMemoryStats', [conn, ALL_CELLS, buffer, count, 0], 'negative');
  const stats: Record<string, number> = {};
  for (let i = 0; i < count[0]!; i++) {
    const entry = koffi.decode(buffer, i * size, 'virNodeMemoryStats') as { field: string; value: bigint | number };
    stats[entry.field] = Number(entry.value);
  }
  return stats;
}
