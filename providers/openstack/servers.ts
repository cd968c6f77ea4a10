import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import type { Flavor, OpenstackClient, Server } from './openstack-client.js';

/** Nova refuses user_data longer than 65535 bytes once base64-encoded. */
export const USER_DATA_LIMIT = 65_535;

/** The flavor named (by name or id), else the smallest with these CPUs and memory and a disk for the image (least memory, then CPUs, then disk). */
export function pickFlavor(flavors: Flavor[], wanted: { name?: string; cpus: number; memoryMiB: number; diskGiB: number }): Flavor {
  if (wanted.name) {
    const named = flavors.find((flavor) => flavor.name === wanted.name || flavor.id === wanted.name);
    if (named) return named;
    throw new AtomlabError(`the cloud has no flavor ${wanted.name} (it has: ${flavors.map((f) => f.name).join(', ')})`, { code: 'BAD_INPUT', context: { provider: 'openstack' }, hint: 'openstack flavor list shows them' });
  }
  const fits = flavors.filter((flavor) => flavor.vcpus >= wanted.cpus && flavor.ram >= wanted.memoryMiB && (flavor.disk === 0 || flavor.disk >= wanted.diskGiB));
  fits.sort((a, b) => a.ram - b.ram || a.vcpus - b.vcpus || a.disk - b.disk || a.name.localeCompare(b.name));
  const best = fits[0];
  if (!best) throw new AtomlabError(`no flavor of this cloud has ${wanted.cpus} CPUs, ${wanted.memoryMiB} MiB and a ${wanted.diskGiB} GiB disk`, { code: 'BAD_INPUT', context: { provider: 'openstack' }, hint: 'name one with provider: {name: openstack, flavor: …} (openstack flavor list)' });
  return best;
}

export interface LaunchRequest {
  client: OpenstackClient;
  vm: string;
  name: string;
  imageId: string;
  flavorId: string;
  keyName: string;
  securityGroup: string;
  networkId: string | undefined;
  userData: string;
  /** `seed: configdrive`: Nova writes the user-data onto a config-2 drive instead of serving it from its metadata service. */
  configDrive: boolean;
  metadata: Record<string, string>;
  signal?: AbortSignal;
}

/** The `POST /servers` body: user_data base64-encoded, the lab's key pair and group, the network when one is named. */
export function serverBody(request: LaunchRequest): Record<string, unknown> {
  const userData = Buffer.from(request.userData).toString('base64');
  if (userData.length > USER_DATA_LIMIT) {
    throw new AtomlabError(`${request.vm}: user-data is ${userData.length} bytes in base64; Nova takes at most ${USER_DATA_LIMIT}`, { code: 'BAD_INPUT', context: { vm: request.vm, provider: 'openstack' }, hint: 'shorten cloudConfig (large files belong in a serve: directory or a step\'s copy)' });
  }
  const networks = request.networkId ? { networks: [{ uuid: request.networkId }] } : {};
  return { name: request.name, imageRef: request.imageId, flavorRef: request.flavorId, key_name: request.keyName, security_groups: [{ name: request.securityGroup }], user_data: userData, metadata: request.metadata, ...(request.configDrive ? { config_drive: true } : {}), ...networks };
}

export async function launch(request: LaunchRequest): Promise<string> {
  return request.client.createServer(serverBody(request), request.signal);
}

export interface WaitRequest {
  client: OpenstackClient;
  vm: string;
  id: string;
  /** ACTIVE (running) or SHUTOFF (stopped). */
  wanted: 'ACTIVE' | 'SHUTOFF';
  /** Also wait until Nova has no task on the server (`OS-EXT-STS:task_state` null: a snapshot upload or a rebuild finished). */
  settled?: boolean;
  /** What to do when the server goes to ERROR (default: about a server that does not build). */
  hint?: string;
  pollMs?: number;
  signal?: AbortSignal;
}

const BUILD_HINT = 'atomlab down removes what is left; "No valid host" means the cloud has no room for this flavor now; an image that does not boot needs an x86_64 disk with cloud-init';

const reached = (server: Server, request: WaitRequest) => server.status === request.wanted && (!request.settled || !server['OS-EXT-STS:task_state']);

/** Polls until the server reaches the status; ERROR (or a server gone) is an error with Nova's fault message. */
export async function waitServer(request: WaitRequest): Promise<Server> {
  for (;;) {
    const server = await request.client.server(request.id);
    if (server && reached(server, request)) return server;
    if (!server || server.status === 'ERROR' || server.status === 'DELETED') {
      const reason = server?.fault?.message ?? (server ? 'no fault given' : '');
      throw new AtomlabError(`${request.vm}: server ${request.id} ${server ? `went to ${server.status}: ${reason}` : 'is gone'}`, {
        context: { vm: request.vm, provider: 'openstack', server: request.id, fault: server?.fault?.code },
        hint: request.hint ?? BUILD_HINT,
      });
    }
    await sleep(request.pollMs ?? 5000, undefined, { signal: request.signal });
  }
}

/** The address SSH uses: public is a floating IP, else accessIPv4, else a fixed address; private is a fixed address. */
export function serverAddress(server: Server, address: 'public' | 'private', vm: string): string {
  const all = Object.values(server.addresses ?? {}).flat();
  const fixed = all.filter((entry) => entry['OS-EXT-IPS:type'] !== 'floating').sort((a, b) => a.version - b.version);
  const floating = all.find((entry) => entry['OS-EXT-IPS:type'] === 'floating');
  // `||`: Nova answers accessIPv4 "" when it is not set
  const found = address === 'public' ? floating?.addr || server.accessIPv4 || fixed[0]?.addr : fixed[0]?.addr;
  if (!found) {
    throw new AtomlabError(`${vm}: server ${server.id} has no ${address} address yet`, { context: { vm, provider: 'openstack' }, hint: 'name a network (provider: {network: …}) or an external network to take a floating IP from (floatingNetwork: …)' });
  }
  return found;
}
