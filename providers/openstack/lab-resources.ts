import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import type { TaggedResource } from '../../lab/provider/index.js';
import type { GlanceImage, OpenstackClient, SecurityGroup, SecurityGroupRule } from './openstack-client.js';

/** What prepareLab records (a plain-data copy of the lab boundary's LabResource). */
export interface OpenstackResource {
  provider: 'openstack';
  kind: 'key-pair' | 'security-group';
  id: string;
  data: { labTag: string };
}

/**
 * The name of a lab's key pair and security group; its servers' names start with it and a dash.
 * Nova before microversion 2.92 takes key pair names of letters, digits, ' ', '_' and '-' only,
 * so the tag's '.' (and anything else) becomes '-'; servers carry the exact tag in metadata.
 */
export function labResourceName(tag: string): string {
  return `atomlab-${tag.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** What a floating IP made for a lab's VM says about itself (Neutron floating IPs have a description, not a name). */
export function floatingDescription(tag: string, vm: string): string {
  return `atomlab ${tag} ${vm}`;
}

/** The Glance properties of a VM snapshot (Nova copies createImage's metadata onto the image): `atomlab=snapshot`, the lab, the VM, the name. */
export const SNAPSHOT_PROPERTY = { kind: 'atomlab', lab: 'atomlab_lab', vm: 'atomlab_vm', name: 'atomlab_snapshot' } as const;

/** Every snapshot image of a lab (any VM), found by tag. */
async function labSnapshotImages(client: OpenstackClient, tag: string): Promise<GlanceImage[]> {
  return client.images({ [SNAPSHOT_PROPERTY.kind]: 'snapshot', [SNAPSHOT_PROPERTY.lab]: tag });
}

/** A snapshot image as `status` shows it: owned by its server (Nova's `instance_uuid`), so known while the server is. */
function snapshotResource(image: GlanceImage): TaggedResource {
  return { kind: 'snapshot', id: image.id, state: image.status, ...(typeof image.instance_uuid === 'string' ? { owner: image.instance_uuid } : {}) };
}

type Port = { guest: number; protocol: 'tcp' | 'udp' };

/** Ingress from one CIDR: SSH plus the scenario's ports, one rule each. */
export function ingressRules(cidr: string, ports: Port[]): SecurityGroupRule[] {
  const unique = new Map([['tcp/22', { guest: 22, protocol: 'tcp' as const }], ...ports.map((port) => [`${port.protocol}/${port.guest}`, port] as const)]);
  const ethertype = cidr.includes(':') ? 'IPv6' : 'IPv4';
  return [...unique.values()].map((port) => ({ direction: 'ingress', ethertype, protocol: port.protocol, port_range_min: port.guest, port_range_max: port.guest, remote_ip_prefix: cidr }));
}

export interface PrepareRequest {
  client: OpenstackClient;
  tag: string;
  publicKey: string;
  cidr: string;
  ports: Port[];
  record: (resource: OpenstackResource) => Promise<void>;
}

/** The lab's Nova key pair (from the lab key) and Neutron security group, each recorded before it is made; found again when they exist. */
export async function prepareOpenstackLab(request: PrepareRequest): Promise<void> {
  const { client, tag } = request;
  const name = labResourceName(tag);
  await request.record({ provider: 'openstack', kind: 'key-pair', id: name, data: { labTag: tag } });
  if (!(await client.keypairs()).includes(name)) await client.createKeypair(name, request.publicKey);
  await request.record({ provider: 'openstack', kind: 'security-group', id: name, data: { labTag: tag } });
  const [existing] = await client.securityGroups(name);
  const groupId = existing?.id ?? (await client.createSecurityGroup(name, `atomlab lab ${tag}: SSH and ports from ${request.cidr}`));
  for (const rule of ingressRules(request.cidr, request.ports).filter((wanted) => !hasRule(existing, wanted))) await client.createRule({ ...rule, security_group_id: groupId });
}

function hasRule(group: SecurityGroup | undefined, rule: SecurityGroupRule): boolean {
  return (group?.security_group_rules ?? []).some((have) => have.direction === rule.direction && have.protocol === rule.protocol && have.port_range_min === rule.port_range_min && have.port_range_max === rule.port_range_max && have.remote_ip_prefix === rule.remote_ip_prefix);
}

/** The lab's servers: named with its prefix and carrying its tag in their metadata. */
export async function labServers(client: OpenstackClient, tag: string) {
  return (await client.servers(`${labResourceName(tag)}-`)).filter((server) => server.metadata['atomlab:lab'] === tag && server.status !== 'DELETED');
}

async function labFloatingIps(client: OpenstackClient, tag: string) {
  return (await client.floatingIps()).filter((ip) => ip.description.startsWith(`${floatingDescription(tag, '')}`));
}

/**
 * Everything of the lab, found by name and tag (not only what the state knows, so an up killed
 * between creating a server and writing its state leaves nothing behind): servers deleted and
 * waited for, the VMs' snapshot images, floating IPs, the security group (retried while Neutron
 * still sees it in use), the key pair. Already gone is fine. Returns what went.
 */
export async function teardownOpenstackLab(request: { client: OpenstackClient; tag: string; pollMs?: number }): Promise<TaggedResource[]> {
  const { client, tag } = request;
  const servers = await labServers(client, tag);
  for (const server of servers) await client.deleteServer(server.id);
  await waitFor(async () => (await labServers(client, tag)).map((server) => server.id), 'servers still deleting', request.pollMs);
  const snapshots = await labSnapshotImages(client, tag);
  for (const image of snapshots) await client.deleteImage(image.id);
  const ips = await labFloatingIps(client, tag);
  for (const ip of ips) await client.deleteFloatingIp(ip.id);
  const groups = await client.securityGroups(labResourceName(tag));
  await waitFor(async () => deleteGroups(client, groups.map((group) => group.id)), 'security groups still in use', request.pollMs);
  const pairs = (await client.keypairs()).filter((name) => name === labResourceName(tag));
  for (const pair of pairs) await client.deleteKeypair(pair);
  return [...servers.map((server) => ({ kind: 'instance', id: server.id })), ...snapshots.map(snapshotResource), ...ips.map((ip) => ({ kind: 'floating-ip', id: ip.id })), ...groups.map(() => ({ kind: 'security-group', id: labResourceName(tag) })), ...pairs.map((pair) => ({ kind: 'key-pair', id: pair }))];
}

/** Deletes the groups; returns those Neutron still refuses as in use (409), to try again. */
async function deleteGroups(client: OpenstackClient, ids: string[]): Promise<string[]> {
  const left: string[] = [];
  for (const id of ids) {
    await client.deleteSecurityGroup(id).catch((error: unknown) => {
      if (!(error instanceof AtomlabError && error.context.status === 409)) throw error;
      left.push(id);
    });
  }
  ids.splice(0, ids.length, ...left);
  return left;
}

async function waitFor(left: () => Promise<string[]>, what: string, pollMs = 5000): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const remaining = await left();
    if (remaining.length === 0) return;
    if (attempt * pollMs > 15 * 60_000) throw new AtomlabError(`${what} after 15 minutes: ${remaining.join(', ')}`, { context: { provider: 'openstack' }, hint: 'run atomlab down again' });
    await sleep(pollMs);
  }
}

/** Things of the lab in the cloud, for `status` to show what the state does not know. */
export async function taggedResources(client: OpenstackClient, tag: string): Promise<TaggedResource[]> {
  const servers = (await labServers(client, tag)).map((server) => ({ kind: 'instance', id: server.id, state: server.status }));
  const ips = (await labFloatingIps(client, tag)).map((ip) => ({ kind: 'floating-ip', id: ip.id }));
  const snapshots = (await labSnapshotImages(client, tag)).map(snapshotResource);
  // By name, as prepareOpenstackLab records it: the state knows the group by that name, not its id.
  const groups = (await client.securityGroups(labResourceName(tag))).map(() => ({ kind: 'security-group', id: labResourceName(tag) }));
  const pairs = (await client.keypairs()).filter((name) => name === labResourceName(tag)).map((name) => ({ kind: 'key-pair', id: name }));
  return [...servers, ...snapshots, ...ips, ...groups, ...pairs];
}
