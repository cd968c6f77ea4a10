import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cloudUserData, formatEta, labTag, newConsoleLines, pinnedHostKey, publicCidr } from '../../lab/cloud/index.js';
import { AtomlabError } from '../../lab/errors/index.js';
import { atomlabHome } from '../../lab/home/index.js';
import type { CloudCreateRequest, CreateRequest, DiskRequest, Endpoint, Inventory, LabHooks, LabInfo, LabResource, Probe, Provider, ProviderContext, Snapshots, StopOptions, TaggedResource, VmRef, VmState } from '../../lab/provider/index.js';
import { checkConsoleHostKey } from '../../lab/ssh/index.js';
import { loadCloudConfig } from './clouds-config.js';
import { configDriveUserData } from './config-drive-user-data.js';
import { ensureGlanceImage, removeUploadedImages, type UploadProgress } from './glance-store.js';
import { labResourceName, prepareOpenstackLab, taggedResources, teardownOpenstackLab } from './lab-resources.js';
import { OpenstackClient } from './openstack-client.js';
import type { OpenstackOptions } from './options.js';
import { launch, pickFlavor, waitServer, serverAddress } from './servers.js';
import { attachFloatingIp, releaseFloatingIp } from './floating-ips.js';
import { deleteRecordedSnapshots, deleteSnapshot, revertToSnapshot, snapshotNames, takeSnapshot, type SnapshotTarget } from './vm-snapshots.js';

/** What an OpenStack VM's state keeps: ids and public facts only, never tokens, passwords or user-data. */
export interface OpenstackVmData {
  serverId: string;
  labTag: string;
  address: 'public' | 'private';
  /** The host key given in user-data, checked against the console (public). */
  hostKey?: string;
  /** The VM's state directory: its snapshot journal (absent in states written before snapshots). */
  dir?: string;
}

export interface OpenstackProviderSettings extends OpenstackOptions {
  log?: ProviderContext['log'];
  /** Poll interval for server states and the console (tests: short). */
  pollMs?: number;
  /** Where upload locks live (default: atomlab's home). */
  uploadsDir?: string;
  /** The environment clouds.yaml and OS_* are read from (default: the process's). */
  env?: NodeJS.ProcessEnv;
}

const GIB = 1024 ** 3;

/** OpenStack: Keystone v3, images in Glance, Nova servers with user-data or a config drive, a Neutron security group per lab, snapshots as Glance images. */
export class OpenstackProvider implements Provider, LabHooks, Inventory, Snapshots {
  readonly name = 'openstack';
  private clientPromise: Promise<OpenstackClient> | undefined;
  private readonly images = new Map<string, Promise<string>>();
  private lastProgress = 0;

  constructor(private readonly settings: OpenstackProviderSettings) {}

  private client(): Promise<OpenstackClient> {
    this.clientPromise ??= loadCloudConfig({ cloud: this.settings.cloud, region: this.settings.region, env: this.settings.env }).then((config) => new OpenstackClient(config));
    this.clientPromise.catch(() => (this.clientPromise = undefined));
    return this.clientPromise;
  }

  private data(vm: VmRef): OpenstackVmData {
    return vm.data as unknown as OpenstackVmData;
  }

  async probe(): Promise<Probe> {
    try {
      const client = await this.client();
      const token = await client.session.currentToken();
      await client.session.endpoint('compute');
      return { available: true, version: `project ${token.projectId ?? '?'}${client.session.config.region ? `, ${client.session.config.region}` : ''} (${client.session.config.source})`, notes: ['billable: servers, floating IPs and images cost money (or quota) while they exist'] };
    } catch (error) {
      return { available: false, reason: error instanceof AtomlabError ? error.shortMessage : String(error), notes: [] };
    }
  }

  diskWanted(): DiskRequest {
    return { kind: 'store', formats: ['qcow2', 'raw'] };
  }

  async prepareLab(lab: LabInfo, record: (resource: LabResource) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const client = await this.client();
    const cidr = this.settings.sshFrom ?? (await publicCidr({ url: this.settings.checkIpUrl, provider: 'openstack', hint: 'give the address SSH comes from in the scenario: provider: {name: openstack, sshFrom: 203.0.113.7/32}', signal }));
    const ports = lab.vms.flatMap((vm) => vm.ports.map((port) => ({ guest: port.guest, protocol: port.protocol })));
    await prepareOpenstackLab({ client, tag: labTag(lab), publicKey: lab.publicKey, cidr, ports, record });
  }

  async teardownLab(lab: Pick<LabInfo, 'name' | 'stateDir'>, resources: LabResource[]): Promise<void> {
    const client = await this.client();
    const tags = new Set(resources.map((resource) => (resource.data as { labTag?: string }).labTag).filter((tag): tag is string => Boolean(tag)));
    if (tags.size === 0) tags.add(labTag(lab));
    for (const tag of tags) await teardownOpenstackLab({ client, tag, pollMs: this.settings.pollMs });
  }

  private progress(vm: string, progress: UploadProgress): void {
    const now = Date.now();
    if (now - this.lastProgress < 5000 && progress.doneBytes < progress.totalBytes) return;
    this.lastProgress = now;
    const mib = (bytes: number) => Math.round(bytes / 1024 ** 2);
    this.settings.log?.(`${vm}: uploading image to Glance: ${mib(progress.doneBytes)}/${mib(progress.totalBytes)} MiB, ETA ${formatEta(progress.etaSeconds)}`);
  }

  /** The Glance image for a plan: the scenario's own (`image: {glance: …}`), else the cached image uploaded once. */
  private async imageFor(request: CreateRequest | CloudCreateRequest, client: OpenstackClient, signal?: AbortSignal): Promise<string> {
    const cloud = request.plan.image.cloud;
    if (cloud) {
      if (cloud.kind !== 'glance') throw new AtomlabError(`${request.plan.name}: openstack boots Glance images, not image: {${cloud.kind}: …}`, { code: 'BAD_INPUT', context: { vm: request.plan.name, provider: 'openstack' } });
      return cloud.id;
    }
    const { base } = request;
    if (!base) throw new AtomlabError(`${request.plan.name}: no image to upload`, { context: { vm: request.plan.name, provider: 'openstack' } });
    const known = this.images.get(base.digest);
    if (known) return known;
    const uploadsDir = this.settings.uploadsDir ?? join(atomlabHome(), 'uploads');
    const made = ensureGlanceImage({ client, base, uploadsDir, onProgress: (p) => this.progress(request.plan.name, p), signal, pollMs: this.settings.pollMs });
    this.images.set(base.digest, made);
    made.catch(() => this.images.delete(base.digest));
    return made;
  }

  private async userData(request: CreateRequest | CloudCreateRequest): Promise<string> {
    const { seed, plan } = request;
    const userData = cloudUserData(seed);
    if (userData !== undefined) return userData;
    if (seed.kind === 'drive' && seed.label === 'config-2') return configDriveUserData(seed, plan.name);
    throw new AtomlabError(`openstack takes seed: userdata, configdrive or ignition, not ${seed.transport}`, { code: 'BAD_INPUT', context: { vm: plan.name, provider: 'openstack' } });
  }

  async create(request: CreateRequest | CloudCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const { plan } = request;
    const recorded = request.labResources.find((resource) => resource.kind === 'security-group');
    const tag = (recorded?.data as { labTag?: string } | undefined)?.labTag;
    if (!tag) throw new AtomlabError(`${plan.name}: the lab's security group was not prepared`, { context: { vm: plan.name, provider: 'openstack' } });
    const client = await this.client();
    const userData = await this.userData(request);
    const imageId = await this.imageFor(request, client, signal);
    const diskGiB = Math.ceil(Math.max(plan.diskBytes ?? 0, request.base?.virtualBytes ?? 0) / GIB);
    const flavor = pickFlavor(await client.flavors(), { name: this.settings.flavor, cpus: plan.cpus, memoryMiB: plan.memoryMiB, diskGiB });
    const networkId = this.settings.network ? await this.networkId(client, this.settings.network) : undefined;
    const metadata = { atomlab: 'lab', 'atomlab:lab': tag, 'atomlab:vm': plan.name };
    const serverId = await launch({ client, vm: plan.name, name: `${labResourceName(tag)}-${plan.name}`, imageId, flavorId: flavor.id, keyName: labResourceName(tag), securityGroup: labResourceName(tag), networkId, userData, configDrive: request.seed.kind === 'drive', metadata, signal });
    const data: OpenstackVmData = { serverId, labTag: tag, address: this.settings.address, hostKey: pinnedHostKey(userData), dir: request.dir };
    return { provider: 'openstack', lab: plan.lab, name: plan.name, data: { ...data } };
  }

  private async networkId(client: OpenstackClient, nameOrId: string): Promise<string> {
    const network = await client.network(nameOrId);
    if (!network) throw new AtomlabError(`the cloud has no network ${nameOrId}`, { code: 'BAD_INPUT', context: { provider: 'openstack' }, hint: 'openstack network list shows them' });
    return network.id;
  }

  async start(vm: VmRef, signal?: AbortSignal): Promise<void> {
    const client = await this.client();
    const { serverId, labTag: tag } = this.data(vm);
    if ((await client.server(serverId))?.status === 'SHUTOFF') await client.serverAction(serverId, { 'os-start': null });
    await waitServer({ client, vm: vm.name, id: serverId, wanted: 'ACTIVE', pollMs: this.settings.pollMs, signal });
    if (this.settings.floatingNetwork) await attachFloatingIp({ client, tag, vm: vm.name, serverId, network: this.settings.floatingNetwork });
  }

  async stop(vm: VmRef, options: StopOptions = {}): Promise<void> {
    const client = await this.client();
    const { serverId } = this.data(vm);
    if ((await this.state(vm)) !== 'running') return;
    await client.serverAction(serverId, { 'os-stop': null });
    await waitServer({ client, vm: vm.name, id: serverId, wanted: 'SHUTOFF', pollMs: this.settings.pollMs, signal: options.signal });
  }

  /** Nova's hard reboot: the reset button. */
  async reset(vm: VmRef): Promise<void> {
    await (await this.client()).serverAction(this.data(vm).serverId, { reboot: { type: 'HARD' } });
  }

  async destroy(vm: VmRef): Promise<void> {
    const client = await this.client();
    const { serverId, labTag: tag } = this.data(vm);
    await client.deleteServer(serverId);
    await releaseFloatingIp({ client, tag, vm: vm.name });
    await deleteRecordedSnapshots({ client, vm: vm.name, labTag: tag, dir: this.data(vm).dir });
  }

  private async snapshotTarget(vm: VmRef): Promise<SnapshotTarget> {
    const data = this.data(vm);
    return { client: await this.client(), vm: vm.name, serverId: data.serverId, labTag: data.labTag, dir: data.dir, address: data.address, hostKey: data.hostKey, pollMs: this.settings.pollMs };
  }

  /** Nova `createImage` of the server (a Glance image tagged with the lab), waited for until active. Disk only; crash-consistent while it runs. */
  async snapshot(vm: VmRef, name: string): Promise<void> {
    await takeSnapshot(await this.snapshotTarget(vm), name);
  }

  /** Nova `rebuild` from the snapshot image: the same server, addresses and key, its root disk replaced. */
  async revert(vm: VmRef, name: string): Promise<void> {
    await revertToSnapshot(await this.snapshotTarget(vm), name);
  }

  async listSnapshots(vm: VmRef): Promise<string[]> {
    return snapshotNames(await this.snapshotTarget(vm));
  }

  async deleteSnapshot(vm: VmRef, name: string): Promise<void> {
    await deleteSnapshot(await this.snapshotTarget(vm), name);
  }

  async state(vm: VmRef): Promise<VmState> {
    const server = await (await this.client()).server(this.data(vm).serverId);
    const status = server?.status;
    if (status === 'ACTIVE' || status === 'BUILD' || status === 'REBOOT' || status === 'HARD_REBOOT') return 'running';
    if (status === 'SHUTOFF' || status === 'SUSPENDED' || status === 'SHELVED' || status === 'SHELVED_OFFLOADED') return 'stopped';
    if (status === 'PAUSED') return 'paused';
    if (status === 'ERROR') return 'crashed';
    return 'missing';
  }

  /** The address SSH uses, once the console's host keys (when printed) agree with the pinned one. */
  async endpoint(vm: VmRef): Promise<Endpoint> {
    const client = await this.client();
    const data = this.data(vm);
    const server = await client.server(data.serverId);
    if (!server) throw new AtomlabError(`${vm.name}: server ${data.serverId} is gone`, { context: { vm: vm.name, provider: 'openstack' } });
    const host = serverAddress(server, data.address, vm.name);
    if (data.hostKey) checkConsoleHostKey(await client.consoleOutput(data.serverId), data.hostKey, vm.name);
    return { host, port: 22 };
  }

  /** Console lines from os-getConsoleOutput, polled (the API has no live stream). */
  async *console(vm: VmRef, signal: AbortSignal): AsyncIterable<string> {
    const client = await this.client();
    let previous = '';
    while (!signal.aborted) {
      const text = await client.consoleOutput(this.data(vm).serverId).catch(() => previous);
      yield* newConsoleLines(previous, text);
      previous = text;
      await sleep(this.settings.pollMs ?? 10_000, undefined, { signal }).catch(() => undefined);
    }
  }

  /** `down --images`: every image atomlab uploaded to this cloud. */
  async removeImages(): Promise<TaggedResource[]> {
    return removeUploadedImages(await this.client());
  }

  /** `down`: everything with the lab's tag, whether or not the state knows it. */
  async removeLabResources(lab: Pick<LabInfo, 'name' | 'stateDir'>): Promise<TaggedResource[]> {
    return teardownOpenstackLab({ client: await this.client(), tag: labTag(lab), pollMs: this.settings.pollMs });
  }

  /** `status`: what of the lab is in the cloud (the caller compares with its state). */
  async labResources(lab: Pick<LabInfo, 'name' | 'stateDir'>): Promise<TaggedResource[]> {
    return taggedResources(await this.client(), labTag(lab));
  }
}
