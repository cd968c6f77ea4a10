import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import type { GceClient, Instance } from './gce-client.js';
import { zoneRegion } from './gcs-bucket.js';
import { networkUrl } from './lab-resources.js';

/** GCE refuses a metadata value over 256 KiB (and all metadata over 512 KiB). */
export const USER_DATA_LIMIT = 256 * 1024;

/** Families `cpus`/`memory` are mapped into: general purpose x86_64 (shared-core e2 included). */
export const SIZED_FAMILIES = ['e2', 'n2', 'n2d'];

export interface MachineType {
  name: string;
  cpus: number;
  memoryMiB: number;
}

/** The smallest machine type of SIZED_FAMILIES with at least these CPUs and this memory (least memory, then fewest CPUs). */
export function smallestFitting(types: MachineType[], wanted: { cpus: number; memoryMiB: number }): string {
  const fits = types.filter((type) => SIZED_FAMILIES.includes(type.name.split('-')[0]!) && !type.name.includes('custom') && type.cpus >= wanted.cpus && type.memoryMiB >= wanted.memoryMiB);
  fits.sort((a, b) => a.memoryMiB - b.memoryMiB || a.cpus - b.cpus || a.name.localeCompare(b.name));
  const best = fits[0];
  if (!best) throw new AtomlabError(`no GCE machine type has ${wanted.cpus} CPUs and ${wanted.memoryMiB} MiB`, { code: 'BAD_INPUT', context: { provider: 'gce' }, hint: 'name one with provider: {name: gce, machineType: …}' });
  return best.name;
}

/** An image reference for initializeParams.sourceImage: a bare name is the project's own. */
export function sourceImage(project: string, image: string): string {
  return image.includes('/') ? image : `projects/${project}/global/images/${image}`;
}

export interface InstanceSpec {
  project: string;
  zone: string;
  name: string;
  vm: string;
  machineType: string;
  image: string;
  diskGiB: number | undefined;
  diskType: string;
  network: string;
  subnet: string | undefined;
  address: 'public' | 'private';
  networkTag: string;
  labels: Record<string, string>;
  userData: string;
  /** `user:ssh-ed25519 AAAA… comment`: the lab key, as GCE's `ssh-keys` metadata takes it. */
  sshKey: string;
}

/** The instances.insert body: cloud-init reads `user-data` from the metadata server; `ssh-keys` carries the lab key. */
export function instanceResource(spec: InstanceSpec): Instance {
  const size = Buffer.byteLength(spec.userData);
  if (size > USER_DATA_LIMIT) {
    throw new AtomlabError(`${spec.vm}: user-data is ${size} bytes; GCE metadata values take at most ${USER_DATA_LIMIT}`, { code: 'BAD_INPUT', context: { vm: spec.vm, provider: 'gce' }, hint: 'shorten cloudConfig (large files belong in a serve: directory or a step\'s copy)' });
  }
  const initializeParams = { sourceImage: sourceImage(spec.project, spec.image), diskType: `zones/${spec.zone}/diskTypes/${spec.diskType}`, labels: spec.labels, ...(spec.diskGiB ? { diskSizeGb: String(spec.diskGiB) } : {}) };
  const nic = { network: networkUrl(spec.project, spec.network), ...(spec.subnet ? { subnetwork: `projects/${spec.project}/regions/${zoneRegion(spec.zone)}/subnetworks/${spec.subnet}` } : {}), accessConfigs: spec.address === 'public' ? [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }] : [] };
  return {
    name: spec.name,
    machineType: `zones/${spec.zone}/machineTypes/${spec.machineType}`,
    labels: spec.labels,
    tags: { items: [spec.networkTag] },
    metadata: { items: [{ key: 'user-data', value: spec.userData }, { key: 'ssh-keys', value: spec.sshKey }] },
    disks: [{ boot: true, autoDelete: true, type: 'PERSISTENT', initializeParams }],
    networkInterfaces: [nic],
  };
}

export interface WaitRequest {
  client: GceClient;
  project: string;
  zone: string;
  name: string;
  vm: string;
  wanted: 'RUNNING' | 'TERMINATED';
  pollMs?: number;
  signal?: AbortSignal;
}

const ON_THE_WAY: Record<WaitRequest['wanted'], string[]> = { RUNNING: ['PROVISIONING', 'STAGING', 'REPAIRING'], TERMINATED: ['RUNNING', 'STOPPING', 'SUSPENDING'] };

/** Polls until the instance is in the state; an instance that turns elsewhere (TERMINATED while starting) is an error with GCE's statusMessage. */
export async function waitInstance(request: WaitRequest): Promise<Instance> {
  for (;;) {
    const instance = await request.client.instance(request.project, request.zone, request.name);
    const status = instance?.status ?? 'gone';
    if (instance && status === request.wanted) return instance;
    if (!instance || !ON_THE_WAY[request.wanted].includes(status)) {
      throw new AtomlabError(`${request.vm}: instance ${request.name} ${instance ? `went to ${status}` : 'is gone'}${instance?.statusMessage ? `: ${instance.statusMessage}` : ''}`, {
        code: 'FAILED',
        context: { vm: request.vm, provider: 'gce', instance: request.name, status },
        hint: 'atomlab down removes what is left; see the serial console (atomlab console) for why the guest stopped',
      });
    }
    await sleep(request.pollMs ?? 3000, undefined, { signal: request.signal });
  }
}

/** The address SSH uses: the external NAT address (public, default) or the VPC address (private). */
export function instanceAddress(instance: Instance, address: 'public' | 'private', vm: string): string {
  const nic = instance.networkInterfaces?.[0];
  const found = address === 'public' ? nic?.accessConfigs?.find((config) => config.natIP)?.natIP : nic?.networkIP;
  if (!found) {
    throw new AtomlabError(`${vm}: instance ${instance.name} has no ${address} address yet`, {
      code: 'NOT_FOUND',
      context: { vm, provider: 'gce' },
      hint: address === 'public' ? 'the instance has no external address: its network may forbid them; use address: private from inside the VPC' : 'the instance has no network interface yet: run up again',
    });
  }
  return found;
}
