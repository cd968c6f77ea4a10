import { setTimeout as sleep } from 'node:timers/promises';
import type { IpPermission } from '@aws-sdk/client-ec2';
import { labTag, publicCidr as askPublicCidr } from '../../lab/cloud/index.js';
import { AtomlabError } from '../../lab/errors/index.js';
import type { TaggedResource } from '../../lab/provider/index.js';
import type { Ec2Client, Tags } from './ec2-client.js';
import { isNotFound } from './ec2-errors.js';
import { TAG_ATOMLAB, TAG_LAB } from './ami-store.js';

/** On a VM snapshot: the instance it was taken of (`status` counts the snapshot as that VM's, not as untracked). */
export const TAG_INSTANCE = 'atomlab:instance';
const ownedBy = (instanceId: string | undefined) => (instanceId ? { owner: instanceId } : {});

/** What prepareLab records (a plain-data copy of the lab boundary's LabResource). */
export interface Ec2Resource {
  provider: 'ec2';
  kind: 'key-pair' | 'security-group';
  id: string;
  data: { labTag: string; region: string };
}

export { labTag };

export function labTags(tag: string): Tags {
  return { [TAG_ATOMLAB]: 'lab', [TAG_LAB]: tag };
}

/** The names of a lab's key pair and security group (one each per lab and region). */
export function labResourceName(tag: string): string {
  return `atomlab-${tag}`;
}

/** Ingress from one CIDR: SSH plus the scenario's ports. */
export function ingressRules(cidr: string, ports: { guest: number; protocol: 'tcp' | 'udp' }[]): IpPermission[] {
  const unique = new Map([[`tcp/22`, { guest: 22, protocol: 'tcp' as const }], ...ports.map((port) => [`${port.protocol}/${port.guest}`, port] as const)]);
  const range = cidr.includes(':') ? { Ipv6Ranges: [{ CidrIpv6: cidr, Description: 'atomlab' }] } : { IpRanges: [{ CidrIp: cidr, Description: 'atomlab' }] };
  return [...unique.values()].map((port) => ({ IpProtocol: port.protocol, FromPort: port.guest, ToPort: port.guest, ...range }));
}

/** This machine's public address as a /32, asked from checkip (what AWS sees connecting). */
export async function publicCidr(checkIpUrl: string, signal?: AbortSignal): Promise<string> {
  return askPublicCidr({ url: checkIpUrl, provider: 'ec2', hint: 'give the address SSH comes from in the scenario: provider: {name: ec2, sshFrom: 203.0.113.7/32}', signal });
}

export interface PrepareRequest {
  client: Ec2Client;
  tag: string;
  region: string;
  publicKey: string;
  cidr: string;
  vpcId: string | undefined;
  ports: { guest: number; protocol: 'tcp' | 'udp' }[];
  record: (resource: Ec2Resource) => Promise<void>;
}

/** The lab's key pair (from the lab key) and security group, each recorded before it is made; found again when they exist. */
export async function prepareEc2Lab(request: PrepareRequest): Promise<void> {
  const { client, tag } = request;
  const name = labResourceName(tag);
  const data = { labTag: tag, region: request.region };
  await request.record({ provider: 'ec2', kind: 'key-pair', id: name, data });
  if ((await client.keyPairs(labTags(tag))).length === 0) await client.importKeyPair({ name, publicKey: request.publicKey, tags: labTags(tag) });
  await request.record({ provider: 'ec2', kind: 'security-group', id: name, data });
  const [existing] = await client.securityGroups({ tags: labTags(tag) });
  const groupId = existing?.id ?? (await client.createSecurityGroup({ name, description: `atomlab lab ${tag}: SSH and ports from ${request.cidr}`, vpcId: request.vpcId, tags: labTags(tag) }));
  const missing = ingressRules(request.cidr, request.ports).filter((rule) => !hasRule(existing?.ingress ?? [], rule));
  if (missing.length > 0) await client.authorizeIngress(groupId, missing);
}

function hasRule(present: IpPermission[], rule: IpPermission): boolean {
  const cidr = rule.IpRanges?.[0]?.CidrIp ?? rule.Ipv6Ranges?.[0]?.CidrIpv6;
  return present.some((have) => have.IpProtocol === rule.IpProtocol && have.FromPort === rule.FromPort && [...(have.IpRanges ?? []).map((r) => r.CidrIp), ...(have.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)].includes(cidr));
}

export interface TeardownRequest {
  client: Ec2Client;
  tag: string;
  /** Poll interval while instances terminate. */
  pollMs?: number;
}

/**
 * Everything tagged with the lab, found by tag (not only what the state knows, so an up killed
 * between RunInstances and writing its state leaves nothing behind): instances terminated and
 * waited for, then volumes left detached (a revert killed half-way), the VMs' snapshots, the
 * security group and the key pair. Already gone is
 * fine. Returns what went, in taggedResources' spelling.
 */
export async function teardownEc2Lab(request: TeardownRequest): Promise<TaggedResource[]> {
  const { client, tag } = request;
  const instances = await liveInstances(client, tag);
  await client.terminateInstances(instances.map((instance) => instance.id));
  await waitTerminated(client, tag, request.pollMs ?? 5000);
  const removed: TaggedResource[] = instances.map((instance) => ({ ...instance, state: 'terminated' }));
  removed.push(...(await removeLabVolumes(client, tag, request.pollMs ?? 5000)));
  for (const snapshot of await client.snapshots(labTags(tag))) {
    await client.deleteSnapshot(snapshot.id).catch(ignoreNotFound);
    removed.push({ kind: 'snapshot', id: snapshot.id });
  }
  for (const group of await client.securityGroups({ tags: labTags(tag) })) {
    await client.deleteSecurityGroup(group.id).catch(ignoreNotFound);
    removed.push({ kind: 'security-group', id: group.name });
  }
  for (const pair of await client.keyPairs(labTags(tag))) {
    await client.deleteKeyPair(pair.name).catch(ignoreNotFound);
    removed.push({ kind: 'key-pair', id: pair.name });
  }
  return removed;
}

async function liveInstances(client: Ec2Client, tag: string): Promise<TaggedResource[]> {
  const instances = await client.instances({ tags: labTags(tag) });
  return instances.filter((instance) => instance.State?.Name !== 'terminated').map((instance) => ({ kind: 'instance', id: instance.InstanceId!, state: instance.State?.Name }));
}

async function waitTerminated(client: Ec2Client, tag: string, pollMs: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const left = await liveInstances(client, tag);
    if (left.length === 0) return;
    if (attempt * pollMs > 15 * 60_000) throw new AtomlabError(`instances still terminating after 15 minutes: ${left.map((i) => i.id).join(', ')}`, { context: { provider: 'ec2' }, hint: 'run atomlab down again' });
    await sleep(pollMs);
  }
}

/**
 * The lab's volumes that outlived their instances: a root a revert made or detached before it
 * was killed. Attached ones are released by the terminations (waited for); root volumes EC2
 * deletes on termination are gone by then.
 */
async function removeLabVolumes(client: Ec2Client, tag: string, pollMs: number): Promise<TaggedResource[]> {
  const removed: TaggedResource[] = [];
  for (let attempt = 0; ; attempt++) {
    const volumes = (await client.volumes({ tags: labTags(tag) })).filter((volume) => volume.state !== 'deleting' && volume.state !== 'deleted');
    for (const volume of volumes.filter((v) => v.state === 'available' || v.state === 'error')) {
      await client.deleteVolume(volume.id).catch(ignoreNotFound);
      removed.push({ kind: 'volume', id: volume.id });
    }
    if (volumes.every((v) => v.state === 'available' || v.state === 'error')) return removed;
    if (attempt * pollMs > 15 * 60_000) throw new AtomlabError(`volumes still attached after 15 minutes: ${volumes.map((v) => v.id).join(', ')}`, { context: { provider: 'ec2' }, hint: 'run atomlab down again' });
    await sleep(pollMs);
  }
}

function ignoreNotFound(error: unknown): void {
  if (!isNotFound((error as { cause?: unknown }).cause ?? error)) throw error;
}

/**
 * Things tagged with the lab, for `status` to show what the state does not know: instances by
 * id (as a VmRef keeps them), volumes attached to no instance (left by a killed revert), the
 * group and key pair by name (as prepareLab records them).
 */
export async function taggedResources(client: Ec2Client, tag: string): Promise<TaggedResource[]> {
  const instances = await liveInstances(client, tag);
  const snapshots = (await client.snapshots(labTags(tag))).map((snapshot) => ({ kind: 'snapshot', id: snapshot.id, state: snapshot.state, ...ownedBy(snapshot.tags[TAG_INSTANCE]) }));
  const loose = (await client.volumes({ tags: labTags(tag) })).filter((volume) => volume.attachments.length === 0 && volume.state !== 'deleted').map((volume) => ({ kind: 'volume', id: volume.id, state: volume.state }));
  const groups = (await client.securityGroups({ tags: labTags(tag) })).map((group) => ({ kind: 'security-group', id: group.name }));
  const pairs = (await client.keyPairs(labTags(tag))).map((pair) => ({ kind: 'key-pair', id: pair.name }));
  return [...instances, ...loose, ...snapshots, ...groups, ...pairs];
}
