import { setTimeout as sleep } from 'node:timers/promises';
import type { Instance } from '@aws-sdk/client-ec2';
import { AtomlabError } from '../../lab/errors/index.js';
import type { Ec2Client, Tags } from './ec2-client.js';
import { isNotFound } from './ec2-errors.js';

/** EC2 refuses user-data over 16 KiB (before base64). */
export const USER_DATA_LIMIT = 16 * 1024;

export interface InstanceType {
  name: string;
  vcpus: number;
  memoryMiB: number;
}

/**
 * Families `cpus`/`memory` are mapped into: general purpose, compute and memory optimized, and
 * burstable x86_64 types of current generations (no GPUs, accelerators or bare metal surprises).
 */
export const SIZED_FAMILIES = ['t3', 't3a', 'm7i', 'c7i', 'r7i'];

/** The smallest instance type with at least these CPUs and this memory (least memory, then fewest CPUs). */
export function smallestFitting(types: InstanceType[], wanted: { cpus: number; memoryMiB: number }): string {
  const fits = types.filter((type) => type.vcpus >= wanted.cpus && type.memoryMiB >= wanted.memoryMiB);
  fits.sort((a, b) => a.memoryMiB - b.memoryMiB || a.vcpus - b.vcpus || a.name.localeCompare(b.name));
  const best = fits[0];
  if (!best) throw new AtomlabError(`no EC2 instance type has ${wanted.cpus} CPUs and ${wanted.memoryMiB} MiB`, { code: 'BAD_INPUT', context: { provider: 'ec2' }, hint: 'name one with provider: {name: ec2, instanceType: …}' });
  return best.name;
}

export interface LaunchRequest {
  client: Ec2Client;
  vm: string;
  imageId: string;
  instanceType: string;
  keyName: string;
  securityGroupId: string;
  subnet: string | undefined;
  userData: string;
  volumeGiB: number | undefined;
  tags: Tags;
}

export async function launch(request: LaunchRequest): Promise<string> {
  const size = Buffer.byteLength(request.userData);
  if (size > USER_DATA_LIMIT) {
    throw new AtomlabError(`${request.vm}: user-data is ${size} bytes; EC2 takes at most ${USER_DATA_LIMIT}`, { code: 'BAD_INPUT', context: { vm: request.vm, provider: 'ec2' }, hint: 'shorten cloudConfig (large files belong in a serve: directory or a step\'s copy)' });
  }
  return request.client.runInstance(request);
}

/** Why an instance stopped being usable, in AWS's words. */
function stateReason(instance: Instance): string {
  return instance.StateReason?.Message ?? instance.StateTransitionReason ?? 'no reason given';
}

export interface WaitRequest {
  client: Ec2Client;
  vm: string;
  instanceId: string;
  /** The state wanted: running or stopped. */
  wanted: 'running' | 'stopped';
  pollMs?: number;
  signal?: AbortSignal;
}

/** Polls until the instance reaches the state; an instance that terminates on the way is an error with AWS's reason. */
export async function waitInstance(request: WaitRequest): Promise<Instance> {
  for (;;) {
    const [instance] = await request.client.instances({ ids: [request.instanceId] }).catch((error: unknown) => (isNotFound((error as { cause?: unknown }).cause) ? [] : Promise.reject(error)));
    const state = instance?.State?.Name;
    if (instance && state === request.wanted) return instance;
    if (!instance || state === 'terminated' || state === 'shutting-down') {
      throw new AtomlabError(`${request.vm}: instance ${request.instanceId} ${instance ? `went to ${state}` : 'is gone'}: ${instance ? stateReason(instance) : ''}`.trim(), {
        code: 'FAILED',
        context: { vm: request.vm, provider: 'ec2', instance: request.instanceId, reason: instance?.StateReason?.Code },
        hint: 'atomlab down removes what is left; an image that does not boot on EC2 needs an x86_64 BIOS disk with cloud-init',
      });
    }
    await sleep(request.pollMs ?? 5000, undefined, { signal: request.signal });
  }
}

/** The address SSH uses: public (default) or private. */
export function instanceAddress(instance: Instance, address: 'public' | 'private', vm: string): string {
  const found = address === 'public' ? (instance.PublicIpAddress ?? instance.Ipv6Address) : instance.PrivateIpAddress;
  if (!found) {
    throw new AtomlabError(`${vm}: instance ${instance.InstanceId} has no ${address} address`, {
      code: 'FAILED',
      context: { vm, provider: 'ec2' },
      hint: address === 'public' ? 'launch in a subnet that maps public addresses (provider: {subnet: …}), or use address: private from inside the VPC' : 'the instance has no network interface yet: run up again',
    });
  }
  return found;
}

