import { createHash } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { AtomlabError } from '../../lab/errors/index.js';
import type { LabInfo, LabResource } from '../../lab/provider/index.js';
import { LibvirtError, type Connection } from './libvirt-client.js';
import { isLocalUri, type LibvirtOptions } from './options.js';
import { el, renderXml } from './xml.js';

/**
 * A lab's own NAT network (`network: {create: nat}`): a lab resource, made before the first VM
 * and removed by `down` after the last, found again by name after a crash.
 */

const KIND = 'network';

/** `atomlab-<lab>`, with a short hash where the lab name is long; the bridge name fits Linux's 15 bytes. */
export function labNetworkNames(lab: string): { network: string; bridge: string } {
  const hash = createHash('sha256').update(lab).digest('hex').slice(0, 8);
  const network = `atomlab-${lab}`.length <= 50 ? `atomlab-${lab}` : `atomlab-${lab.slice(0, 32)}-${hash}`;
  return { network, bridge: `virbr-al${hash.slice(0, 6)}` };
}

export function natNetworkXml(names: { network: string; bridge: string }, subnet: string): string {
  const prefix = subnet.replace(/\.0\/24$/, '');
  return renderXml(
    el(
      'network',
      {},
      el('name', {}, names.network),
      el('forward', { mode: 'nat' }),
      el('bridge', { name: names.bridge, stp: 'on', delay: '0' }),
      el('ip', { address: `${prefix}.1`, netmask: '255.255.255.0' }, el('dhcp', {}, el('range', { start: `${prefix}.10`, end: `${prefix}.250` }))),
    ),
  );
}

/** /24s already taken: every libvirt network's, and this machine's own addresses when libvirt is local. */
async function takenPrefixes(conn: Connection, uri: string): Promise<Set<string>> {
  const taken = new Set<string>();
  const networks = await conn.listNetworks();
  try {
    for (const network of networks) for (const match of (await network.xml()).matchAll(/<ip [^>]*address=['"](\d+\.\d+\.\d+)\.\d+['"]/g)) taken.add(match[1]!);
  } finally {
    for (const network of networks) network.free();
  }
  if (isLocalUri(uri)) {
    for (const addresses of Object.values(networkInterfaces())) for (const address of addresses ?? []) if (address.family === 'IPv4') taken.add(address.address.split('.').slice(0, 3).join('.'));
  }
  return taken;
}

async function freeSubnet(conn: Connection, uri: string): Promise<string> {
  const taken = await takenPrefixes(conn, uri);
  for (let third = 200; third < 255; third++) if (!taken.has(`192.168.${third}`)) return `192.168.${third}.0/24`;
  throw new AtomlabError('no free 192.168.200–254.0/24 subnet for the lab network', { code: 'FAILED', hint: 'give one: network: {create: nat, subnet: 10.77.0.0/24}', context: { provider: 'libvirt' } });
}

async function lookup(conn: Connection, name: string) {
  try {
    return await conn.lookupNetwork(name);
  } catch (error) {
    if (error instanceof LibvirtError && error.isNotFound) return undefined;
    throw error;
  }
}

/** Makes the lab's network, or finds it again (started if it was stopped): recorded before it is defined. */
export async function ensureLabNetwork(conn: Connection, options: LibvirtOptions, lab: LabInfo, record: (resource: LabResource) => Promise<void>): Promise<void> {
  const names = labNetworkNames(lab.name);
  const existing = await lookup(conn, names.network);
  const subnet = existing ? undefined : (options.labNetwork?.subnet ?? (await freeSubnet(conn, options.uri)));
  await record({ provider: 'libvirt', kind: KIND, id: names.network, data: { uri: options.uri, ...(subnet ? { subnet } : {}) } });
  const network = existing ?? (await conn.defineNetwork(natNetworkXml(names, subnet!)));
  try {
    if (!(await network.isActive())) await network.create();
  } finally {
    network.free();
  }
}

/** Removes the recorded networks; one already gone is fine. */
export async function removeLabNetworks(conn: Connection, resources: LabResource[]): Promise<void> {
  for (const resource of resources.filter((r) => r.kind === KIND)) {
    const network = await lookup(conn, resource.id);
    if (!network) continue;
    try {
      if (await network.isActive()) await network.destroy();
      await network.undefine();
    } finally {
      network.free();
    }
  }
}

/** The options a VM is created with: on the lab's network when the scenario asked for one. */
export function withLabNetwork(options: LibvirtOptions, labResources: LabResource[]): LibvirtOptions {
  if (!options.labNetwork) return options;
  const network = labResources.find((resource) => resource.provider === 'libvirt' && resource.kind === KIND);
  if (!network) throw new AtomlabError('the lab network was not made before the VM', { code: 'FAILED', context: { provider: 'libvirt' } });
  return { ...options, network: network.id };
}
