import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cloudUserData, formatEta, newConsoleLines, pinnedHostKey } from '../../lab/cloud/index.js';
import { AtomlabError } from '../../lab/errors/index.js';
import { atomlabHome } from '../../lab/home/index.js';
import type { VmPlan } from '../../lab/plan/index.js';
import type { CloudCreateRequest, CreateRequest, DiskRequest, Endpoint, Inventory, LabHooks, LabInfo, LabResource, Probe, Provider, ProviderContext, Snapshots, StopOptions, TaggedResource, VmRef, VmState } from '../../lab/provider/index.js';
import { checkConsoleHostKey } from '../../lab/ssh/index.js';
import { amiName, ensureAmi, removeUploadedImages, TAG_LAB } from './ami-store.js';
import { Ec2Client } from './ec2-client.js';
import { isNotFound } from './ec2-errors.js';
import type { UploadProgress } from './ebs-upload.js';
import { instanceAddress, launch, SIZED_FAMILIES, smallestFitting, waitInstance } from './instances.js';
import { labResourceName, labTag, labTags, prepareEc2Lab, publicCidr, taggedResources, teardownEc2Lab } from './lab-resources.js';
import type { Ec2Options } from './options.js';
import { deleteVmSnapshot, revertVm, snapshotVm, vmSnapshotNames, type VmSnapshotTarget } from './vm-snapshots.js';

/** What an EC2 VM's state keeps: ids and public facts only, never credentials or user-data. */
export interface Ec2VmData {
  instanceId: string;
  region: string;
  labTag: string;
  address: 'public' | 'private';
  /** The host key given in user-data (cloud-config or Ignition config), checked against the console (public). */
  hostKey?: string;
}

export interface Ec2ProviderSettings extends Ec2Options {
  log?: ProviderContext['log'];
  /** Poll interval for instance states and the console (tests: short). */
  pollMs?: number;
  /** Where upload journals live (default: atomlab's home). */
  uploadsDir?: string;
}

const GIB = 1024 ** 3;

/** AWS EC2: images through the EBS direct APIs, user-data seeds, a key pair and security group per lab. */
export class Ec2Provider implements Provider, LabHooks, Inventory, Snapshots {
  readonly name = 'ec2';
  private readonly client: Ec2Client;
  private readonly images = new Map<string, Promise<string>>();
  private lastProgress = 0;

  constructor(private readonly settings: Ec2ProviderSettings) {
    this.client = new Ec2Client({ region: settings.region, profile: settings.profile, endpoint: settings.endpoint });
  }

  private data(vm: VmRef): Ec2VmData {
    return vm.data as unknown as Ec2VmData;
  }

  async probe(): Promise<Probe> {
    try {
      const [region, account] = await Promise.all([this.client.region(), this.client.account()]);
      return { available: true, version: `account ${account}, ${region}`, notes: ['billable: instances, EBS snapshots and AMIs cost money while they exist'] };
    } catch (error) {
      return { available: false, reason: error instanceof AtomlabError ? error.shortMessage : String(error), notes: [] };
    }
  }

  diskWanted(): DiskRequest {
    return { kind: 'store', formats: ['raw'] };
  }

  async prepareLab(lab: LabInfo, record: (resource: LabResource) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const region = await this.client.region();
    const cidr = this.settings.sshFrom ?? (await publicCidr(this.settings.checkIpUrl, signal));
    const vpcId = this.settings.subnet ? await this.client.subnetVpc(this.settings.subnet) : undefined;
    const ports = lab.vms.flatMap((vm) => vm.ports.map((port) => ({ guest: port.guest, protocol: port.protocol })));
    await prepareEc2Lab({ client: this.client, tag: labTag(lab), region, publicKey: lab.publicKey, cidr, vpcId, ports, record });
  }

  async teardownLab(lab: Pick<LabInfo, 'name' | 'stateDir'>, resources: LabResource[]): Promise<void> {
    const tags = new Set(resources.map((resource) => (resource.data as { labTag?: string }).labTag).filter((tag): tag is string => Boolean(tag)));
    if (tags.size === 0) tags.add(labTag(lab));
    for (const tag of tags) await teardownEc2Lab({ client: this.client, tag, pollMs: this.settings.pollMs });
  }

  private progress(vm: string, progress: UploadProgress): void {
    const now = Date.now();
    if (now - this.lastProgress < 5000 && progress.doneBytes < progress.totalBytes) return;
    this.lastProgress = now;
    const mib = (bytes: number) => Math.round(bytes / 1024 ** 2);
    this.settings.log?.(`${vm}: uploading image to EBS: ${mib(progress.doneBytes)}/${mib(progress.totalBytes)} MiB read, ${mib(progress.sentBytes)} MiB sent, ETA ${formatEta(progress.etaSeconds)}`);
  }

  /** The AMI for a plan: the one the scenario names (`image: {ami: …}`), else the cached image uploaded once per region. */
  private async amiFor(request: CreateRequest | CloudCreateRequest, region: string, signal?: AbortSignal): Promise<string> {
    const { base, plan } = request;
    if (plan.image.cloud) return this.namedAmi(plan.image.cloud, plan.name, region);
    if (!base) throw new AtomlabError(`${plan.name}: no image to upload`, { context: { vm: plan.name, provider: 'ec2' } });
    const known = this.images.get(base.digest);
    if (known) return known;
    const uploadsDir = this.settings.uploadsDir ?? join(atomlabHome(), 'uploads');
    const made = ensureAmi({ client: this.client, base, region, volumeType: this.settings.volumeType, uploadsDir, onProgress: (p) => this.progress(plan.name, p), signal, pollMs: this.settings.pollMs });
    this.images.set(base.digest, made);
    made.catch(() => this.images.delete(base.digest));
    this.settings.log?.(`${plan.name}: image ${amiName(base.digest).slice(0, 24)}… in ${region}`);
    return made;
  }

  /** An AMI the scenario names, checked to exist and be available in the region before anything is launched. */
  private async namedAmi(cloud: NonNullable<VmPlan['image']['cloud']>, vm: string, region: string): Promise<string> {
    if (cloud.kind !== 'ami') throw new AtomlabError(`${vm}: ec2 boots AMIs, not a ${cloud.kind} image`, { code: 'BAD_INPUT', context: { vm, provider: 'ec2' } });
    const [image] = await this.client.images({ ids: [cloud.id] }).catch((error: unknown) => (isNotFound((error as AtomlabError).cause) ? [] : Promise.reject(error)));
    if (image?.State !== 'available') {
      throw new AtomlabError(`${vm}: AMI ${cloud.id} is ${image ? image.State ?? 'not available' : `not in ${region} (or not shared with this account)`}`, { code: 'BAD_INPUT', context: { vm, provider: 'ec2', region }, hint: 'AMI ids differ per region: look it up in this region (aws ec2 describe-images --image-ids …), or give region: on the provider' });
    }
    return cloud.id;
  }

  private async instanceType(plan: VmPlan): Promise<string> {
    if (this.settings.instanceType) return this.settings.instanceType;
    return smallestFitting(await this.client.instanceTypes(SIZED_FAMILIES), { cpus: plan.cpus, memoryMiB: plan.memoryMiB });
  }

  async create(request: CreateRequest | CloudCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const { plan, seed } = request;
    const userData = cloudUserData(seed);
    if (userData === undefined) throw new AtomlabError(`ec2 takes seed: userdata or ignition, not ${seed.transport}`, { code: 'BAD_INPUT', context: { vm: plan.name, provider: 'ec2' } });
    const recorded = request.labResources.find((resource) => resource.kind === 'security-group');
    const tag = (recorded?.data as { labTag?: string } | undefined)?.labTag;
    if (!tag) throw new AtomlabError(`${plan.name}: the lab's security group was not prepared`, { context: { vm: plan.name, provider: 'ec2' } });
    const region = await this.client.region();
    const imageId = await this.amiFor(request, region, signal);
    const [group] = await this.client.securityGroups({ tags: labTags(tag) });
    if (!group) throw new AtomlabError(`${plan.name}: the lab's security group ${labResourceName(tag)} is gone`, { context: { vm: plan.name, provider: 'ec2' }, hint: 'run atomlab down, then up' });
    const volumeGiB = plan.diskBytes ? Math.ceil(plan.diskBytes / GIB) : undefined;
    const tags = { ...labTags(tag), 'atomlab:vm': plan.name, Name: `${plan.lab}/${plan.name}` };
    const instanceId = await launch({ client: this.client, vm: plan.name, imageId, instanceType: await this.instanceType(plan), keyName: labResourceName(tag), securityGroupId: group.id, subnet: this.settings.subnet, userData, volumeGiB, tags });
    const data: Ec2VmData = { instanceId, region, labTag: tag, address: this.settings.address, hostKey: pinnedHostKey(userData) };
    return { provider: 'ec2', lab: plan.lab, name: plan.name, data: { ...data } };
  }

  async start(vm: VmRef, signal?: AbortSignal): Promise<void> {
    const { instanceId } = this.data(vm);
    const [instance] = await this.client.instances({ ids: [instanceId] });
    if (instance?.State?.Name === 'stopped') await this.client.startInstance(instanceId);
    if (instance?.State?.Name === 'stopping') await waitInstance({ client: this.client, vm: vm.name, instanceId, wanted: 'stopped', pollMs: this.settings.pollMs, signal }).then(() => this.client.startInstance(instanceId));
    await waitInstance({ client: this.client, vm: vm.name, instanceId, wanted: 'running', pollMs: this.settings.pollMs, signal });
  }

  async stop(vm: VmRef, options: StopOptions = {}): Promise<void> {
    const { instanceId } = this.data(vm);
    if ((await this.state(vm)) !== 'running') return;
    await this.client.stopInstance(instanceId, options.force ?? false);
    await waitInstance({ client: this.client, vm: vm.name, instanceId, wanted: 'stopped', pollMs: this.settings.pollMs, signal: options.signal });
  }

  async destroy(vm: VmRef): Promise<void> {
    if ((await this.state(vm)) === 'missing') return;
    await this.client.terminateInstances([this.data(vm).instanceId]);
  }

  async state(vm: VmRef): Promise<VmState> {
    const [instance] = await this.client.instances({ ids: [this.data(vm).instanceId] }).catch((error: unknown) => {
      if (/NotFound/.test(String((error as AtomlabError).context?.awsCode))) return [];
      throw error;
    });
    const state = instance?.State?.Name;
    if (state === 'running' || state === 'pending') return 'running';
    if (state === 'stopped' || state === 'stopping') return 'stopped';
    return 'missing';
  }

  /** The address SSH uses, once the console's host keys (when printed) agree with the pinned one. */
  async endpoint(vm: VmRef): Promise<Endpoint> {
    const data = this.data(vm);
    const [instance] = await this.client.instances({ ids: [data.instanceId] });
    if (!instance) throw new AtomlabError(`${vm.name}: instance ${data.instanceId} is gone`, { context: { vm: vm.name, provider: 'ec2' } });
    const host = instanceAddress(instance, data.address, vm.name);
    if (data.hostKey) checkConsoleHostKey(await this.client.consoleOutput(data.instanceId), data.hostKey, vm.name);
    return { host, port: 22 };
  }

  /** Console lines from GetConsoleOutput, polled (EC2 has no live serial stream through this API). */
  async *console(vm: VmRef, signal: AbortSignal): AsyncIterable<string> {
    let previous = '';
    while (!signal.aborted) {
      const text = await this.client.consoleOutput(this.data(vm).instanceId).catch(() => previous);
      yield* newConsoleLines(previous, text);
      previous = text;
      await sleep(this.settings.pollMs ?? 10_000, undefined, { signal }).catch(() => undefined);
    }
  }

  private snapshotTarget(vm: VmRef): VmSnapshotTarget {
    const data = this.data(vm);
    return { client: this.client, vm: vm.name, instanceId: data.instanceId, labTag: data.labTag, pollMs: this.settings.pollMs };
  }

  /** CreateSnapshot of the root volume (disk only; EC2 keeps no memory), tagged with the lab so down removes it. */
  async snapshot(vm: VmRef, name: string): Promise<void> {
    await snapshotVm(this.snapshotTarget(vm), name);
  }

  /** The root volume swapped for one made from the snapshot (revertVm); the instance runs again when it ran before, its address read anew by endpoint. */
  async revert(vm: VmRef, name: string): Promise<void> {
    const volumeId = await revertVm(this.snapshotTarget(vm), name);
    this.settings.log?.(`${vm.name}: root volume is now ${volumeId}, made from snapshot ${name}`);
  }

  async listSnapshots(vm: VmRef): Promise<string[]> {
    return vmSnapshotNames(this.snapshotTarget(vm));
  }

  async deleteSnapshot(vm: VmRef, name: string): Promise<void> {
    await deleteVmSnapshot(this.snapshotTarget(vm), name);
  }

  /** `down --images`: every AMI and snapshot atomlab uploaded to this region (never an AMI the scenario named). */
  async removeImages(): Promise<TaggedResource[]> {
    return removeUploadedImages(this.client);
  }

  /** `status`: what carries the lab's tag in the cloud (the caller compares with its state). */
  async labResources(lab: Pick<LabInfo, 'name' | 'stateDir'>): Promise<TaggedResource[]> {
    return taggedResources(this.client, labTag(lab));
  }

  /** `down`: everything that carries the lab's tag, whatever the state knows. */
  async removeLabResources(lab: Pick<LabInfo, 'name' | 'stateDir'>): Promise<TaggedResource[]> {
    return teardownEc2Lab({ client: this.client, tag: labTag(lab), pollMs: this.settings.pollMs });
  }
}

export { TAG_LAB };
