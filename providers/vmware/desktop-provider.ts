import { access, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomlabError } from '../../lab/errors/index.js';
import type { VmPlan } from '../../lab/plan/index.js';
import type { CreateRequest, DiskRequest, Endpoint, LabHooks, LabInfo, LabResource, Probe, Provider, Snapshots, StopOptions, VmRef, VmState } from '../../lab/provider/index.js';
import { addressFromConsole, tailLines } from './console-address.js';
import { createDesktopVm, type DesktopVmData } from './desktop-vm.js';
import type { VmwareOptions } from './options.js';
import { parseGuestAddress, parseList, parseSnapshots, vmrun, VmrunError, type VmrunOptions } from './vmrun-client.js';

type DesktopOptions = VmwareOptions & { target: 'workstation' | 'player' };

const data = (vm: VmRef) => vm.data as DesktopVmData;

/** VMware Workstation / Player through vmrun: VMs are folders under the lab's state. */
export class DesktopProvider implements Provider, Snapshots, LabHooks {
  readonly name = 'vmware';
  private readonly consoleStart = new Map<string, number>();
  /** VMs whose Tools said they are not running: their address is read from the console only. */
  private readonly noTools = new Set<string>();

  constructor(private readonly options: DesktopOptions) {}

  private run(extra: Partial<VmrunOptions> = {}): VmrunOptions {
    return { binary: this.options.vmrun ?? 'vmrun', host: this.options.target === 'workstation' ? 'ws' : 'player', timeoutMs: this.options.timeoutSeconds * 1000, ...extra };
  }

  async probe(): Promise<Probe> {
    try {
      await vmrun(this.run({ timeoutMs: 15_000 }), ['list']);
      return { available: true, soundModels: ['ich6', 'ich9', 'ac97', 'es1370'], notes: [`vmrun -T ${this.run().host}`] };
    } catch (error) {
      const reason = error instanceof AtomlabError ? error.shortMessage : String(error);
      return { available: false, reason: `VMware ${this.options.target}: ${reason} (VMware is not packaged for Debian; it cannot be installed here)`, notes: [] };
    }
  }

  diskWanted(): DiskRequest {
    return { kind: 'file', formats: ['vmdk'], subformat: 'monolithicSparse' };
  }

  async prepareLab(lab: LabInfo, record: (resource: LabResource) => Promise<void>): Promise<void> {
    if (this.options.target === 'workstation') await record({ provider: 'vmware', kind: 'parent-vms', id: join(lab.stateDir, 'vmware-parents'), data: {} });
  }

  async teardownLab(_lab: Pick<LabInfo, 'name' | 'stateDir'>, resources: LabResource[]): Promise<void> {
    for (const resource of resources.filter((r) => r.kind === 'parent-vms')) await rm(resource.id, { recursive: true, force: true });
  }

  async create(request: CreateRequest): Promise<VmRef> {
    refusePorts(request.plan);
    const parents = request.labResources.find((resource) => resource.kind === 'parent-vms')?.id;
    const vmData = await createDesktopVm(request, this.options, this.run(), parents);
    return { provider: 'vmware', lab: request.plan.lab, name: request.plan.name, data: vmData };
  }

  async start(vm: VmRef, signal?: AbortSignal): Promise<void> {
    this.noTools.delete(vm.name);
    this.consoleStart.set(vm.name, (await stat(data(vm).consoleLog).catch(() => undefined))?.size ?? 0);
    await vmrun(this.run({ signal }), ['start', data(vm).vmx, 'nogui']);
  }

  async stop(vm: VmRef, options: StopOptions = {}): Promise<void> {
    if ((await this.state(vm)) !== 'running') return;
    if (!options.force) {
      const soft = await vmrun(this.run({ timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal }), ['stop', data(vm).vmx, 'soft']).then(() => true, () => false);
      if (soft) return;
    }
    await vmrun(this.run({ signal: options.signal }), ['stop', data(vm).vmx, 'hard']);
  }

  async destroy(vm: VmRef): Promise<void> {
    const state = await this.state(vm).catch(() => 'running' as VmState);
    if (state === 'running' || state === 'paused') {
      await vmrun(this.run(), ['stop', data(vm).vmx, 'hard']).catch((error: unknown) => {
        if (!(error instanceof VmrunError && (error.failure === 'not-running' || error.failure === 'not-found' || error.failure === 'missing'))) throw error;
      });
    }
    await rm(data(vm).folder, { recursive: true, force: true });
  }

  async state(vm: VmRef): Promise<VmState> {
    const { vmx, folder } = data(vm);
    if (!(await access(vmx).then(() => true, () => false))) return 'missing';
    if (parseList(await vmrun(this.run(), ['list'])).includes(vmx)) return 'running';
    return (await readdir(folder)).some((file) => file.endsWith('.vmss')) ? 'paused' : 'stopped';
  }

  /** VMware Tools' answer when the guest runs them; else the address the guest printed on its console. */
  async endpoint(vm: VmRef): Promise<Endpoint> {
    const tools = this.noTools.has(vm.name) ? undefined : await vmrun(this.run({ timeoutMs: 15_000 }), ['getGuestIPAddress', data(vm).vmx, '-wait']).then(parseGuestAddress, (error: unknown) => {
      if (!(error instanceof VmrunError && (error.failure === 'tools-not-running' || error.failure === 'timeout'))) throw error;
      this.noTools.add(vm.name);
      return undefined;
    });
    const address = tools ?? addressFromConsole(await readFile(data(vm).consoleLog, 'utf8').catch(() => ''));
    if (!address) {
      throw new AtomlabError(`${vm.name}: no address yet (VMware Tools do not answer, and the console has no cloud-init address table yet)`, { code: 'NOT_FOUND', context: { vm: vm.name, provider: 'vmware', logPath: data(vm).consoleLog } });
    }
    return { host: address, port: 22 };
  }

  console(vm: VmRef, signal: AbortSignal): AsyncIterable<string> {
    return tailLines(data(vm).consoleLog, signal, { offset: this.consoleStart.get(vm.name) ?? 0 });
  }

  async reset(vm: VmRef): Promise<void> {
    await vmrun(this.run(), ['reset', data(vm).vmx, 'hard']);
  }

  private snapshotsAllowed(vm: VmRef): void {
    if (this.options.target === 'player') {
      throw new AtomlabError(`${vm.name}: VMware Player has no snapshots`, { code: 'BAD_INPUT', hint: 'use target: workstation for snapshot and revert steps', context: { vm: vm.name, provider: 'vmware' } });
    }
  }

  async snapshot(vm: VmRef, name: string): Promise<void> {
    this.snapshotsAllowed(vm);
    await vmrun(this.run(), ['snapshot', data(vm).vmx, name]);
  }

  async revert(vm: VmRef, name: string): Promise<void> {
    this.snapshotsAllowed(vm);
    await vmrun(this.run(), ['revertToSnapshot', data(vm).vmx, name]);
  }

  async listSnapshots(vm: VmRef): Promise<string[]> {
    this.snapshotsAllowed(vm);
    return parseSnapshots(await vmrun(this.run(), ['listSnapshots', data(vm).vmx]));
  }

  async deleteSnapshot(vm: VmRef, name: string): Promise<void> {
    this.snapshotsAllowed(vm);
    await vmrun(this.run(), ['deleteSnapshot', data(vm).vmx, name]);
  }
}

/** Forwarded ports need the host-global NAT configuration edited: refused, with why. */
const NAT_HINT = 'VMware NAT forwarding is host-global (vmnetnat.conf, shared by every VM on this host); reach guest ports at the guest\'s NAT address instead (SSH does), or use wait-port steps, which go through SSH';

export function refusePorts(plan: VmPlan, hint = NAT_HINT): void {
  if (plan.ports.length === 0) return;
  throw new AtomlabError(`${plan.name}: ports: cannot be forwarded by the vmware provider`, {
    code: 'BAD_INPUT',
    hint,
    context: { vm: plan.name, provider: 'vmware' },
  });
}
