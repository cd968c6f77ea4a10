import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { atomlabHome } from '../../lab/home/index.js';
import type { VmPlan } from '../../lab/plan/index.js';
import type { CloudCreateRequest, CreateRequest, DiskRequest, Endpoint, Inventory, LabHooks, LabInfo, LabResource, Probe, Provider, ProviderContext, Snapshots, StopOptions, TaggedResource, VmRef, VmState } from '../../lab/provider/index.js';
import { cloudUserData, pinnedHostKey, publicCidr } from '../../lab/cloud/index.js';
import { checkConsoleHostKey } from '../../lab/ssh/index.js';
import { adcSource, GceClient } from './gce-client.js';
import { defaultBucket } from './gcs-bucket.js';
import type { UploadProgress } from './gcs-upload.js';
import { GoogleHttp } from './google-http.js';
import { ensureImage, removeUploadedImages } from './image-store.js';
import { instanceAddress, instanceResource, smallestFitting, waitInstance } from './instances.js';
import { gceSafe, type GceResource, instanceName, labLabels, labResourceName, labTag, prepareGceLab, taggedResources, teardownGceLab } from './lab-resources.js';
import type { GceOptions } from './options.js';
import { deleteVmSnapshot, type GceSnapshotTarget, revertVm, snapshotVm, vmSnapshotNames } from './vm-snapshots.js';

/** What a GCE VM's state keeps: names and public facts only, never credentials or user-data. */
export interface GceVmData {
  project: string;
  zone: string;
  instance: string;
  labTag: string;
  address: 'public' | 'private';
  /** The host key given in user-data, checked against the serial console (public). */
  hostKey?: string;
}

export interface GceProviderSettings extends GceOptions {
  log?: ProviderContext['log'];
  /** Poll interval for instance states and the serial console (tests: short). */
  pollMs?: number;
  /** Where upload journals and tarballs live (default: atomlab's home). */
  uploadsDir?: string;
  /** First retry delay while Google rate-limits (tests: short). */
  retryBaseMs?: number;
  /** Bytes per upload PUT (tests: small, to cut an upload mid-way). */
  chunkBytes?: number;
}

const GIB = 1024 ** 3;

function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.round(seconds)}s`;
}

/** Google Compute Engine: images through a Cloud Storage tarball, user-data metadata seeds, a firewall rule per lab. */
export class GceProvider implements Provider, LabHooks, Inventory, Snapshots {
  readonly name = 'gce';
  readonly client: GceClient;
  private readonly http: GoogleHttp;
  private readonly images = new Map<string, Promise<string>>();
  private place: Promise<{ project: string; zone: string }> | undefined;
  private lastProgress = 0;

  constructor(private readonly settings: GceProviderSettings) {
    this.client = new GceClient({ endpoint: settings.endpoint, retryBaseMs: settings.retryBaseMs });
    this.http = new GoogleHttp({ storageBase: settings.endpoint ?? 'https://storage.googleapis.com', authorization: () => this.client.authorization() });
  }

  private data(vm: VmRef): GceVmData {
    return vm.data as unknown as GceVmData;
  }

  /** Project and zone: the scenario's, else GOOGLE_CLOUD_PROJECT / the ADC's project, and CLOUDSDK_COMPUTE_ZONE. */
  where(): Promise<{ project: string; zone: string }> {
    this.place ??= (async () => {
      if (!adcSource()) throw new AtomlabError('no Google Application Default Credentials on this machine', { code: 'BAD_INPUT', context: { provider: 'gce' }, hint: 'run gcloud auth application-default login, or point GOOGLE_APPLICATION_CREDENTIALS at a service-account key file' });
      const project = this.settings.project ?? (await this.client.adcProject());
      const zone = this.settings.zone ?? process.env.CLOUDSDK_COMPUTE_ZONE ?? process.env.GOOGLE_CLOUD_ZONE;
      if (!project) throw new AtomlabError('no Google Cloud project: none in the scenario, GOOGLE_CLOUD_PROJECT or the credentials', { code: 'BAD_INPUT', context: { provider: 'gce' }, hint: 'set provider: {name: gce, project: my-project} (or GOOGLE_CLOUD_PROJECT)' });
      if (!zone) throw new AtomlabError('no GCE zone: none in the scenario or CLOUDSDK_COMPUTE_ZONE', { code: 'BAD_INPUT', context: { provider: 'gce' }, hint: 'set provider: {name: gce, zone: europe-west1-b} (or CLOUDSDK_COMPUTE_ZONE)' });
      return { project, zone };
    })();
    this.place.catch(() => (this.place = undefined));
    return this.place;
  }

  async probe(): Promise<Probe> {
    try {
      const { project, zone } = await this.where();
      await this.client.machineTypes(project, zone);
      return { available: true, version: `project ${project}, ${zone}`, notes: ['billable: instances, disks and images cost money while they exist'] };
    } catch (error) {
      return { available: false, reason: error instanceof AtomlabError ? error.shortMessage : String(error), notes: [] };
    }
  }

  diskWanted(): DiskRequest {
    return { kind: 'store', formats: ['raw'] };
  }

  async prepareLab(lab: LabInfo, record: (resource: LabResource) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const { project } = await this.where();
    const cidr = this.settings.sshFrom ?? (await publicCidr({ url: this.settings.checkIpUrl, provider: 'gce', hint: 'give the address SSH comes from in the scenario: provider: {name: gce, sshFrom: 203.0.113.7/32}', signal }));
    const ports = lab.vms.flatMap((vm) => vm.ports.map((port) => ({ guest: port.guest, protocol: port.protocol })));
    await prepareGceLab({ client: this.client, project, tag: labTag(lab), publicKey: lab.publicKey, network: this.settings.network, cidr, ports, record });
  }

  async teardownLab(lab: Pick<LabInfo, 'name' | 'stateDir'>, resources: LabResource[]): Promise<void> {
    const { project } = await this.where();
    const tags = new Set(resources.map((resource) => (resource.data as { labTag?: string }).labTag).filter((tag): tag is string => Boolean(tag)));
    tags.add(labTag(lab));
    for (const tag of tags) await teardownGceLab({ client: this.client, project, tag });
  }

  private progress(vm: string, progress: UploadProgress): void {
    const now = Date.now();
    if (now - this.lastProgress < 5000 && progress.doneBytes < progress.totalBytes) return;
    this.lastProgress = now;
    const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);
    this.settings.log?.(`${vm}: uploading image to Cloud Storage: ${mib(progress.doneBytes)}/${mib(progress.totalBytes)} MiB, ETA ${formatEta(progress.etaSeconds)}`);
  }

  /** The image for a plan: one already in GCE (`image: {gce: …}`), else the cached image, made once per project. */
  private async imageFor(request: CreateRequest | CloudCreateRequest, project: string, zone: string, signal?: AbortSignal): Promise<string> {
    const cloud = request.plan.image.cloud;
    if (cloud) {
      if (cloud.kind !== 'gce') throw new AtomlabError(`${request.plan.name}: image {${cloud.kind}: ${cloud.id}} is not a GCE image`, { code: 'BAD_INPUT', context: { vm: request.plan.name, provider: 'gce' }, hint: 'name a GCE image: image: {gce: projects/debian-cloud/global/images/family/debian-12}' });
      return cloud.id;
    }
    const { base } = request;
    if (!base) throw new AtomlabError(`${request.plan.name}: no image to upload`, { context: { vm: request.plan.name, provider: 'gce' } });
    const known = this.images.get(base.digest);
    if (known) return known;
    const bucket = this.settings.bucket ?? defaultBucket(project);
    const uploadsDir = this.settings.uploadsDir ?? join(atomlabHome(), 'uploads');
    const made = ensureImage({ client: this.client, http: this.http, project, zone, bucket, base, uploadsDir, onProgress: (p) => this.progress(request.plan.name, p), signal, pollMs: this.settings.pollMs, chunkBytes: this.settings.chunkBytes });
    this.images.set(base.digest, made);
    made.catch(() => this.images.delete(base.digest));
    this.settings.log?.(`${request.plan.name}: image atomlab-${base.digest.slice(0, 12)}… in project ${project} (made once: disk.raw tarball → gs://${bucket} → images.insert)`);
    return made;
  }

  private async machineType(plan: VmPlan, project: string, zone: string): Promise<string> {
    if (this.settings.machineType) return this.settings.machineType;
    return smallestFitting(await this.client.machineTypes(project, zone), { cpus: plan.cpus, memoryMiB: plan.memoryMiB });
  }

  async create(request: CreateRequest | CloudCreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const { plan, seed } = request;
    const userData = cloudUserData(seed);
    if (userData === undefined) throw new AtomlabError(`gce takes seed: userdata or ignition, not ${seed.transport}`, { code: 'BAD_INPUT', context: { vm: plan.name, provider: 'gce' } });
    const recorded = request.labResources.find((resource) => resource.kind === 'firewall')?.data as GceResource['data'] | undefined;
    const tag = recorded?.labTag;
    if (!tag || !recorded.publicKey) throw new AtomlabError(`${plan.name}: the lab's firewall rule was not prepared`, { context: { vm: plan.name, provider: 'gce' } });
    const { project, zone } = await this.where();
    const image = await this.imageFor(request, project, zone, signal);
    const name = instanceName(tag, plan.name);
    const labels = { ...labLabels(tag), 'atomlab-vm': gceSafe(plan.name, 63) };
    const sshKey = `${plan.login.user}:${recorded.publicKey.trim()}`;
    const spec = { project, zone, name, vm: plan.name, machineType: await this.machineType(plan, project, zone), image, diskGiB: plan.diskBytes ? Math.ceil(plan.diskBytes / GIB) : undefined, diskType: this.settings.diskType, network: this.settings.network, subnet: this.settings.subnet, address: this.settings.address, networkTag: labResourceName(tag), labels, userData, sshKey };
    await this.client.insertInstance(project, zone, instanceResource(spec));
    const data: GceVmData = { project, zone, instance: name, labTag: tag, address: this.settings.address, hostKey: pinnedHostKey(userData) };
    return { provider: 'gce', lab: plan.lab, name: plan.name, data: { ...data } };
  }

  private at(vm: VmRef): { project: string; zone: string; name: string } {
    const data = this.data(vm);
    return { project: data.project, zone: data.zone, name: data.instance };
  }

  private wait(vm: VmRef, wanted: 'RUNNING' | 'TERMINATED', signal?: AbortSignal): Promise<unknown> {
    return waitInstance({ client: this.client, ...this.at(vm), vm: vm.name, wanted, pollMs: this.settings.pollMs, signal });
  }

  async start(vm: VmRef, signal?: AbortSignal): Promise<void> {
    const { project, zone, name } = this.at(vm);
    const status = (await this.client.instance(project, zone, name))?.status;
    if (status === 'STOPPING') await this.wait(vm, 'TERMINATED', signal);
    if (status === 'STOPPING' || status === 'TERMINATED') await this.client.instanceAction('start', this.at(vm));
    await this.wait(vm, 'RUNNING', signal);
  }

  async stop(vm: VmRef, options: StopOptions = {}): Promise<void> {
    if ((await this.state(vm)) !== 'running') return;
    await this.client.instanceAction('stop', this.at(vm));
    await this.wait(vm, 'TERMINATED', options.signal);
  }

  async reset(vm: VmRef): Promise<void> {
    await this.client.instanceAction('reset', this.at(vm));
  }

  async destroy(vm: VmRef): Promise<void> {
    if ((await this.state(vm)) === 'missing') return;
    await this.client.instanceAction('delete', this.at(vm));
  }

  async state(vm: VmRef): Promise<VmState> {
    const { project, zone, name } = this.at(vm);
    const status = (await this.client.instance(project, zone, name))?.status;
    if (status === 'RUNNING' || status === 'PROVISIONING' || status === 'STAGING' || status === 'REPAIRING') return 'running';
    if (status === 'TERMINATED' || status === 'STOPPING' || status === 'SUSPENDED' || status === 'SUSPENDING') return 'stopped';
    return 'missing';
  }

  /** The address SSH uses, once the serial console's host keys (when printed) agree with the pinned one. */
  async endpoint(vm: VmRef): Promise<Endpoint> {
    const data = this.data(vm);
    const instance = await this.client.instance(data.project, data.zone, data.instance);
    if (!instance) throw new AtomlabError(`${vm.name}: instance ${data.instance} is gone`, { context: { vm: vm.name, provider: 'gce' }, hint: 'run atomlab down, then up' });
    const host = instanceAddress(instance, data.address, vm.name);
    if (data.hostKey) checkConsoleHostKey((await this.client.serialOutput(this.at(vm))).contents, data.hostKey, vm.name);
    return { host, port: 22 };
  }

  /** Serial port 1 lines, polled from getSerialPortOutput's `next` offset on. */
  async *console(vm: VmRef, signal: AbortSignal): AsyncIterable<string> {
    let next = 0;
    let partial = '';
    while (!signal.aborted) {
      const output = await this.client.serialOutput(this.at(vm), next).catch(() => ({ contents: '', next }));
      const lines = (partial + output.contents).split(/\r?\n/);
      partial = lines.pop() ?? '';
      yield* lines.filter((line) => line.length > 0);
      next = output.next || next;
      await sleep(this.settings.pollMs ?? 5000, undefined, { signal }).catch(() => undefined);
    }
  }

  private snapshotTarget(vm: VmRef): GceSnapshotTarget {
    const data = this.data(vm);
    return { client: this.client, project: data.project, zone: data.zone, instance: data.instance, vm: vm.name, labTag: data.labTag, pollMs: this.settings.pollMs };
  }

  /** snapshots.insert of the boot disk (disk only: GCE keeps no memory), labelled with the lab so down removes it. */
  async snapshot(vm: VmRef, name: string): Promise<void> {
    await snapshotVm(this.snapshotTarget(vm), name);
  }

  /** The boot disk swapped for one made from the snapshot (vm-snapshots.ts); the instance runs again when it ran before. */
  async revert(vm: VmRef, name: string): Promise<void> {
    const disk = await revertVm(this.snapshotTarget(vm), name);
    this.settings.log?.(`${vm.name}: boot disk is now ${disk}, made from snapshot ${name}`);
  }

  async listSnapshots(vm: VmRef): Promise<string[]> {
    return vmSnapshotNames(this.snapshotTarget(vm));
  }

  async deleteSnapshot(vm: VmRef, name: string): Promise<void> {
    await deleteVmSnapshot(this.snapshotTarget(vm), name);
  }

  /** `down --images`: every image atomlab made in the project. */
  async removeImages(): Promise<TaggedResource[]> {
    const { project } = await this.where();
    return removeUploadedImages({ client: this.client, http: this.http, project, bucket: this.settings.bucket ?? defaultBucket(project) });
  }

  /** `down`: everything with the lab's label, in every zone, whether or not the state knows it. */
  async removeLabResources(lab: Pick<LabInfo, 'name' | 'stateDir'>): Promise<TaggedResource[]> {
    const { project } = await this.where();
    return teardownGceLab({ client: this.client, project, tag: labTag(lab) });
  }

  /** `status`: what carries the lab's label (or name) in the project (the caller compares with its state). */
  async labResources(lab: Pick<LabInfo, 'name' | 'stateDir'>): Promise<TaggedResource[]> {
    const { project } = await this.where();
    return taggedResources({ client: this.client, project, tag: labTag(lab) });
  }
}
