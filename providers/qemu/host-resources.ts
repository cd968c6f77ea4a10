import { readFile } from 'node:fs/promises';
import { availableParallelism, freemem, totalmem } from 'node:os';
import type { HostResources } from '../../lab/provider/index.js';

const MIB = 1024 ** 2;

/** This machine's CPU threads and memory; MemAvailable (free + reclaimable) where Linux tells it. */
export async function localResources(): Promise<HostResources> {
  const meminfo = await readFile('/proc/meminfo', 'utf8').catch(() => '');
  const availableKiB = /^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1];
  return {
    host: 'this machine',
    cpus: availableParallelism(),
    memoryMiB: Math.floor(totalmem() / MIB),
    availableMiB: availableKiB ? Math.floor(Number(availableKiB) / 1024) : Math.floor(freemem() / MIB),
  };
}
