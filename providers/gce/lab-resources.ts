import { createHash } from 'node:crypto';
import type { TaggedResource } from '../../lab/provider/index.js';
import type { Disk, Firewall, GceClient } from './gce-client.js';
import { isNotFound } from './gce-errors.js';
import { LABEL_ATOMLAB } from './image-store.js';

export const LABEL_LAB = 'atomlab-lab';
/** On a VM snapshot: the instance it was taken of (`status` counts the snapshot as that VM's, not as untracked). */
export const LABEL_INSTANCE = 'atomlab-instance';

/** What prepareLab records (a plain-data copy of the boundary's LabResource). */
export interface GceResource {
  provider: 'gce';
  kind: 'firewall';
  id: string;
  /** The lab key's public half rides along: GCE has no key pairs, each instance's `ssh-keys` metadata carries it. */
  data: { labTag: string; project: string; publicKey: string };
}

/** Lower case letters, digits and dashes, starting with a letter: what GCE names, labels and network tags take. */
export function gceSafe(text: string, max: number): string {
  const safe = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, max).replace(/-+$/, '');
  return safe || 'x';
}

function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The lab's label value: its name and a hash of where its state lives, so two checkouts never share one. */
export function labTag(lab: { name: string; stateDir: string }): string {
  return `${gceSafe(lab.name, 40)}-${shortHash(lab.stateDir)}`;
}

export function labLabels(tag: string): Record<string, string> {
  return { [LABEL_ATOMLAB]: 'lab', [LABEL_LAB]: tag };
}

/** The lab's firewall rule and the network tag it targets (one name for both). */
export function labResourceName(tag: string): string {
  return `atomlab-${tag}`;
}

/** A VM's instance name: unique per lab and VM, at most 63 characters. */
export function instanceName(tag: string, vm: string): string {
  return `atomlab-${shortHash(`${tag}/${vm}`, 10)}-${gceSafe(vm, 40)}`;
}

export function networkUrl(project: string, network: string): string {
  return `projects/${project}/global/networks/${network}`;
}

/** The rule: SSH and the scenario's ports, from one CIDR, to instances carrying the lab's network tag. */
export function firewallRule(request: { tag: string; project: string; network: string; cidr: string; ports: { guest: number; protocol: 'tcp' | 'udp' }[] }): Firewall {
  const byProtocol = new Map<string, Set<string>>([['tcp', new Set(['22'])]]);
  for (const port of request.ports) byProtocol.set(port.protocol, (byProtocol.get(port.protocol) ?? new Set()).add(String(port.guest)));
  return {
    name: labResourceName(request.tag),
    description: `atomlab lab ${request.tag}: SSH and ports from ${request.cidr}`,
    network: networkUrl(request.project, request.network),
    direction: 'INGRESS',
    priority: 1000,
    sourceRanges: [request.cidr],
    targetTags: [labResourceName(request.tag)],
    allowed: [...byProtocol].map(([protocol, ports]) => ({ IPProtocol: protocol, ports: [...ports].sort((a, b) => Number(a) - Number(b)) })),
  };
}

export interface PrepareRequest {
  client: GceClient;
  project: string;
  tag: string;
  publicKey: string;
  network: string;
  cidr: string;
  ports: { guest: number; protocol: 'tcp' | 'udp' }[];
  record: (resource: GceResource) => Promise<void>;
}

/** The lab's firewall rule, recorded before it is made; found again (by name) when it exists. */
export async function prepareGceLab(request: PrepareRequest): Promise<void> {
  const name = labResourceName(request.tag);
  await request.record({ provider: 'gce', kind: 'firewall', id: name, data: { labTag: request.tag, project: request.project, publicKey: request.publicKey } });
  if (await request.client.firewall(request.project, name)) return;
  await request.client.insertFirewall(request.project, firewallRule(request));
}

/**
 * Everything of the lab, found by label (in every zone) and name (not only what the state knows, so an up killed
 * between instances.insert and writing its state leaves nothing behind): instances deleted (each
 * delete operation ends when the instance and its boot disk are gone), then disks no instance
 * uses (a boot disk a revert made or detached before it was killed), the VMs' snapshots, then
 * the firewall rule. Already gone is fine. Returns what went.
 */
export async function teardownGceLab(request: { client: GceClient; project: string; tag: string }): Promise<TaggedResource[]> {
  const { client, project, tag } = request;
  const removed: TaggedResource[] = [];
  for (const instance of await client.instancesEverywhere(project, labelFilter(tag))) {
    const zone = lastPart(instance.zone);
    await client.instanceAction('delete', { project, zone, name: instance.name! }).catch(ignoreNotFound);
    removed.push({ kind: 'instance', id: instance.name! });
  }
  for (const disk of await looseDisks(client, project, tag)) {
    await client.deleteDisk(project, lastPart(disk.zone), disk.name!).catch(ignoreNotFound);
    removed.push({ kind: 'disk', id: disk.name! });
  }
  for (const snapshot of await client.snapshots(project, labelFilter(tag))) {
    await client.deleteSnapshot(project, snapshot.name!).catch(ignoreNotFound);
    removed.push({ kind: 'snapshot', id: snapshot.name! });
  }
  const name = labResourceName(tag);
  if (await client.firewall(project, name)) {
    await client.deleteFirewall(project, name).catch(ignoreNotFound);
    removed.push({ kind: 'firewall', id: name });
  }
  return removed;
}

/** The last segment of a Compute URL (a zone's, a disk's name). */
export const lastPart = (url: string | null | undefined) => String(url ?? '').split('/').pop() ?? '';

/** The lab's disks that no instance uses (boot disks of live instances are the instances' business). */
async function looseDisks(client: GceClient, project: string, tag: string): Promise<Disk[]> {
  return (await client.disksEverywhere(project, labelFilter(tag))).filter((disk) => (disk.users ?? []).length === 0);
}

export function labelFilter(tag: string): string {
  return `labels.${LABEL_LAB} = "${tag}"`;
}

function ignoreNotFound(error: unknown): void {
  if (!isNotFound(error)) throw error;
}

/** Things of the lab in the cloud, for `status` to show what the state does not know. */
export async function taggedResources(request: { client: GceClient; project: string; tag: string }): Promise<TaggedResource[]> {
  const instances = (await request.client.instancesEverywhere(request.project, labelFilter(request.tag))).map((i) => ({ kind: 'instance', id: i.name!, state: i.status ?? undefined }));
  const disks = (await looseDisks(request.client, request.project, request.tag)).map((d) => ({ kind: 'disk', id: d.name!, state: d.status ?? undefined }));
  const snapshots = (await request.client.snapshots(request.project, labelFilter(request.tag))).map((s) => ({ kind: 'snapshot', id: s.name!, state: s.status ?? undefined, ...(s.labels?.[LABEL_INSTANCE] ? { owner: s.labels[LABEL_INSTANCE] } : {}) }));
  const firewall = await request.client.firewall(request.project, labResourceName(request.tag));
  return [...instances, ...disks, ...snapshots, ...(firewall ? [{ kind: 'firewall', id: firewall.name! }] : [])];
}
