import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import type { CreateRequest, DiskRequest, Endpoint, LabHooks, LabInfo, LabResource, Probe, Provider, Snapshots, StopOptions, VmRef, VmState } from '../../lab/provider/index.js';
import { addressFromConsole } from './console-address.js';
import { refusePorts } from './desktop-provider.js';
import { datastoreFileUrl, openPlace, type EsxiPlace } from './esxi-session.js';
import { createEsxiVm, labAnnotation, type EsxiVmData } from './esxi-vm.js';
import type { VmwareOptions } from './options.js';
import { at, text } from './soap-xml.js';
import { VsphereFault, vsphereError, type MoRef } from './vsphere-client.js';
import { datastorePath, listObjects } from './vsphere-objects.js';
import * as vm from './vsphere-vm.js';

const data = (ref: VmRef) => ref.data as EsxiVmData;
const POWER: Record<string, VmState> = { poweredOn: 'running', poweredOff: 'stopped', suspended: 'paused' };

/** ESXi / vCenter through the vSphere Web Services API. One session per provider instance. */
export class EsxiProvider implements Provider, Snapshots, LabHooks {
  readonly name = 'vmware';
  private opened: Promise<EsxiPlace> | undefined;

  constructor(private readonly options: VmwareOptions) {}

  /** The session, opened on first use (a failed login is not kept). */
  place(): Promise<EsxiPlace> {
    this.opened ??= openPlace(this.options).catch((error: unknown) => {
      this.opened = undefined;
      throw error;
    });
    return this.opened;
  }

  /** Runs one vSphere operation; its fault becomes an AtomlabError saying what was being done. */
  private async api<T>(what: string, vmName: string | undefined, work: (place: EsxiPlace) => Promise<T>): Promise<T> {
    const place = await this.place();
    try {
      return await work(place);
    } catch (error) {
      throw vsphereError(error, what, { url: this.options.url, vm: vmName });
    }
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (opened) await (await opened.catch(() => undefined))?.client.logout();
  }

  async probe(): Promise<Probe> {
    try {
      const place = await this.place();
      const version = text(at(place.client.serviceContent, 'about', 'fullName'));
      return { available: true, version, notes: [`${place.apiType} at ${this.options.url ?? ''}, datastore ${place.datastore.name}`] };
    } catch (error) {
      return { available: false, reason: error instanceof AtomlabError ? error.shortMessage : String(error), notes: [] };
    }
  }

  diskWanted(): DiskRequest {
    return { kind: 'store', formats: ['vmdk'], subformat: 'streamOptimized' };
  }

  async prepareLab(lab: LabInfo, record: (resource: LabResource) => Promise<void>): Promise<void> {
    await record({ provider: 'vmware', kind: 'vsphere-lab', id: `${this.options.url ?? ''}#${lab.name}`, data: { lab: lab.name } });
  }

  /** Removes every VM and template annotated with the lab's name, and their datastore folders. */
  async teardownLab(lab: Pick<LabInfo, 'name' | 'stateDir'>): Promise<void> {
    await this.api(`removing lab ${lab.name}`, undefined, async (place) => {
      const mine = (await listObjects(place.client, 'VirtualMachine', ['name', 'config.annotation'])).filter((found) => text(found.props.get('config.annotation')) === labAnnotation(lab.name));
      for (const found of mine) await this.removeVm(place, found.ref, text(found.props.get('name')));
    });
  }

  private async removeVm(place: EsxiPlace, ref: MoRef, vmName: string): Promise<void> {
    const power = await vm.powerState(place.client, ref).catch((error: unknown) => {
      if (error instanceof VsphereFault && error.fault === 'ManagedObjectNotFound') return 'gone';
      throw error;
    });
    if (power === 'poweredOn' || power === 'suspended') await vm.power(place.client, ref, 'PowerOffVM_Task');
    if (power !== 'gone') await vm.destroyVm(place.client, ref);
    await vm.deleteDatastoreFile(place.client, { path: datastorePath(place.datastore.name, vmName), datacenter: place.datacenter.ref });
  }

  async create(request: CreateRequest, signal?: AbortSignal): Promise<VmRef> {
    refusePorts(request.plan, 'an ESXi guest sits on a real network: reach its ports at its own address');
    const created = await this.api(`creating ${request.plan.name}`, request.plan.name, (place) => createEsxiVm(place, request, this.options, signal));
    return { provider: 'vmware', lab: request.plan.lab, name: request.plan.name, data: created };
  }

  async start(ref: VmRef, signal?: AbortSignal): Promise<void> {
    await this.api(`powering on ${ref.name}`, ref.name, (place) => vm.power(place.client, data(ref).vm, 'PowerOnVM_Task', signal));
  }

  async stop(ref: VmRef, options: StopOptions = {}): Promise<void> {
    if ((await this.state(ref)) !== 'running') return;
    await this.api(`stopping ${ref.name}`, ref.name, async (place) => {
      if (!options.force && (await vm.shutdownGuest(place.client, data(ref).vm).then(() => true, () => false))) {
        const deadline = Date.now() + (options.timeoutMs ?? 60_000);
        while (Date.now() < deadline && (await vm.powerState(place.client, data(ref).vm)) === 'poweredOn') await sleep(1000, undefined, { signal: options.signal });
      }
      if ((await vm.powerState(place.client, data(ref).vm)) === 'poweredOn') await vm.power(place.client, data(ref).vm, 'PowerOffVM_Task', options.signal);
    });
  }

  async destroy(ref: VmRef): Promise<void> {
    await this.api(`destroying ${ref.name}`, ref.name, (place) => this.removeVm(place, data(ref).vm, data(ref).vmName));
  }

  async state(ref: VmRef): Promise<VmState> {
    return this.api(`reading the state of ${ref.name}`, ref.name, async (place) => {
      const power = await vm.powerState(place.client, data(ref).vm).catch((error: unknown) => {
        if (error instanceof VsphereFault && error.fault === 'ManagedObjectNotFound') return 'missing';
        throw error;
      });
      return POWER[power] ?? 'missing';
    });
  }

  private async consoleText(place: EsxiPlace, ref: VmRef): Promise<string> {
    return (await place.client.download(datastoreFileUrl(place, `${data(ref).vmName}/console.log`)))?.toString('utf8') ?? '';
  }

  /** VMware Tools' address; else the one cloud-init printed on the serial console file. */
  async endpoint(ref: VmRef): Promise<Endpoint> {
    const address = await this.api(`finding the address of ${ref.name}`, ref.name, async (place) => (await vm.guestAddress(place.client, data(ref).vm)) ?? addressFromConsole(await this.consoleText(place, ref)));
    if (!address) throw new AtomlabError(`${ref.name}: no address yet (VMware Tools report none, and the console has no cloud-init address table yet)`, { code: 'NOT_FOUND', context: { vm: ref.name, provider: 'vmware' } });
    return { host: address, port: 22 };
  }

  /** The serial console file on the datastore, read again every two seconds. */
  async *console(ref: VmRef, signal: AbortSignal): AsyncIterable<string> {
    let seen = 0;
    while (!signal.aborted) {
      const content = await this.api(`reading the console of ${ref.name}`, ref.name, (place) => this.consoleText(place, ref));
      const complete = content.slice(0, content.lastIndexOf('\n') + 1);
      if (complete.length > seen) yield* complete.slice(seen, -1).split('\n');
      seen = Math.max(seen, complete.length);
      await sleep(2000, undefined, { signal }).catch(() => undefined);
    }
  }

  async reset(ref: VmRef): Promise<void> {
    await this.api(`resetting ${ref.name}`, ref.name, (place) => vm.power(place.client, data(ref).vm, 'ResetVM_Task'));
  }

  async snapshot(ref: VmRef, name: string): Promise<void> {
    await this.api(`snapshot ${name} of ${ref.name}`, ref.name, (place) => vm.createSnapshot(place.client, data(ref).vm, name));
  }

  async revert(ref: VmRef, name: string): Promise<void> {
    await this.api(`reverting ${ref.name} to ${name}`, ref.name, (place) => vm.revertSnapshot(place.client, data(ref).vm, name));
  }

  async listSnapshots(ref: VmRef): Promise<string[]> {
    return this.api(`listing snapshots of ${ref.name}`, ref.name, async (place) => (await vm.snapshots(place.client, data(ref).vm)).map((snapshot) => snapshot.name));
  }

  async deleteSnapshot(ref: VmRef, name: string): Promise<void> {
    await this.api(`deleting snapshot ${name} of ${ref.name}`, ref.name, (place) => vm.removeSnapshot(place.client, data(ref).vm, name));
  }
}
