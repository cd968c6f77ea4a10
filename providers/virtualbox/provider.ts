import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { followFile } from '../../lab/files/index.js';
import type { VmPlan } from '../../lab/plan/index.js';
import type { CreateRequest, DiskRequest, Endpoint, LabHooks, LabInfo, LabResource, Probe, Provider, ProviderContext, Snapshots, StopOptions, VmRef, VmState } from '../../lab/provider/index.js';
import type { SeedMedium } from '../../lab/seed/index.js';
import { natRules, parseMachineReadable, snapshotNames, type NatRule } from './machine-readable.js';
import { natRulesFor, portTaken, repick } from './nat-rules.js';
import type { VirtualboxOptions } from './options.js';
import { probeVirtualbox } from './probe.js';
import { SharedBases } from './shared-base.js';
import { soundFor } from './sound.js';
import { failureOf, VboxManage } from './vboxmanage-client.js';
import { flagsFor, type VboxFlags } from './vbox-version.js';
import { vboxData, vboxName, type VboxVmData } from './vm-data.js';
import {
  addNatRulesArgs, attachArgs, createVmArgs, deleteNatRulesArgs, differencingDiskArgs, modifyVmArgs, resizeArgs, storageControllerArgs, uuidFrom, type MachineSpec,
} from './vm-commands.js';

const STATES: Record<string, VmState> = { running: 'running', paused: 'paused', poweroff: 'stopped', saved: 'stopped', aborted: 'crashed', gurumeditation: 'crashed', stuck: 'crashed' };
/** VirtualBox NAT's address for the host, as guests see it. */
const NAT_HOST = '10.0.2.2';

/** VirtualBox through VBoxManage: a linked clone (differencing disk) per VM on a shared VDI base. */
export class VirtualboxProvider implements Provider, Snapshots, LabHooks {
  readonly name = 'virtualbox';
  private readonly client: VboxManage;
  private readonly bases: SharedBases;
  private flagsAnswer: Promise<VboxFlags> | undefined;

  constructor(private readonly options: VirtualboxOptions, private readonly context: ProviderContext = { log: () => undefined }) {
    this.client = new VboxManage({ command: options.vboxmanage });
    this.bases = new SharedBases(this.client);
  }

  private flags(): Promise<VboxFlags> {
    this.flagsAnswer ??= this.client.version().then((version) => flagsFor(version.generation));
    this.flagsAnswer.catch(() => { this.flagsAnswer = undefined; });
    return this.flagsAnswer;
  }

  probe(): Promise<Probe> {
    return probeVirtualbox(this.options.vboxmanage);
  }

  /** A VDI base (the engine converts once, beside the cached image), shared by linked clones. */
  diskWanted(): DiskRequest {
    return { kind: 'file', formats: ['vdi'] };
  }

  async create(request: CreateRequest, signal?: AbortSignal): Promise<VmRef> {
    const { plan, dir, consoleLog } = request;
    const name = vboxName(plan.lab, plan.name);
    const { sound, warning } = soundFor(plan.hardware.sound);
    if (warning) this.context.log(`${plan.name}: ${warning}`);
    const spec: MachineSpec = { name, baseFolder: dir, memoryMiB: plan.memoryMiB, cpus: plan.cpus, firmware: plan.hardware.firmware, sound, consoleLog };
    const seed = seedIso(request.seed, plan);
    await this.removeLeftover(name, signal);
    const uuid = uuidFrom(await this.client.run(createVmArgs(await this.flags(), spec), signal));
    if (!uuid) throw new AtomlabError(`VBoxManage createvm printed no UUID for ${name}`, { code: 'FAILED', context: { provider: this.name, vm: plan.name } });
    const { rules, auto } = await natRulesFor(plan.ports, this.options.listen);
    const data: VboxVmData = { uuid, vboxName: name, folder: join(dir, name), disk: join(dir, 'disk.vdi'), base: request.base.path, seed, consoleLog, autoRules: auto, listen: this.options.listen };
    const vm: VmRef = { provider: this.name, lab: plan.lab, name: plan.name, data: { ...data } };
    try {
      await this.configure(spec, data, rules, { diskBytes: plan.diskBytes, baseBytes: request.base.virtualBytes }, signal);
    } catch (error) {
      await this.destroy(vm).catch(() => undefined);
      throw error;
    }
    return vm;
  }

  private async configure(spec: MachineSpec, data: VboxVmData, rules: NatRule[], size: { diskBytes?: number; baseBytes: number }, signal?: AbortSignal): Promise<void> {
    const flags = await this.flags();
    const run = (args: string[]) => this.client.run(args, signal);
    await run(modifyVmArgs(flags, data.uuid, spec));
    await run(addNatRulesArgs(flags, data.uuid, rules));
    await run(storageControllerArgs(data.uuid));
    await this.bases.ensure(data.base, signal);
    await run(differencingDiskArgs(data.disk, data.base));
    if (size.diskBytes !== undefined && size.diskBytes > size.baseBytes) await run(resizeArgs(data.disk, size.diskBytes));
    await run(attachArgs(data.uuid, 0, 'hdd', data.disk));
    await run(attachArgs(data.uuid, 1, 'dvddrive', data.seed));
  }

  /** A VM of this name left by an atomlab that died before recording it: removed before its name is reused. */
  private async removeLeftover(name: string, signal?: AbortSignal): Promise<void> {
    const info = await this.info(name, signal);
    if (!info) return;
    this.context.log(`removing the VirtualBox VM ${name} left by an earlier interrupted run`);
    if (info.get('VMState') === 'running') await this.client.run(['controlvm', name, 'poweroff'], signal);
    await this.client.run(['unregistervm', name, '--delete'], signal);
  }

  /** showvminfo as a map, or undefined when VirtualBox no longer knows the VM. */
  private async info(id: string, signal?: AbortSignal): Promise<Map<string, string> | undefined> {
    try {
      return parseMachineReadable(await this.client.run(['showvminfo', id, '--machinereadable'], signal));
    } catch (error) {
      if (failureOf(error) === 'not-found') return undefined;
      throw error;
    }
  }

  /**
   * Records the lab's VM name prefix before any VM is made, so `down` can sweep VMs that were
   * registered but never recorded (atomlab killed between createvm and writing its state).
   */
  async prepareLab(lab: LabInfo, record: (resource: LabResource) => Promise<void>): Promise<void> {
    await record({ provider: this.name, kind: 'vm-names', id: vboxName(lab.name, ''), data: { stateDir: lab.stateDir } });
  }

  async teardownLab(lab: Pick<LabInfo, 'name' | 'stateDir'>, resources: LabResource[]): Promise<void> {
    if (!resources.some((resource) => resource.kind === 'vm-names')) return;
    const prefix = vboxName(lab.name, '');
    for (const [, name] of (await this.client.run(['list', 'vms'])).matchAll(/^"(.+)" \{[0-9a-f-]+\}$/gm)) {
      if (!name!.startsWith(prefix)) continue;
      const info = await this.info(name!);
      if (!info?.get('CfgFile')?.startsWith(`${lab.stateDir}/`)) continue;
      this.context.log(`removing the VirtualBox VM ${name!} that atomlab made but did not record`);
      if (info.get('VMState') === 'running') await this.powerOff(name!);
      await this.client.run(['unregistervm', name!, '--delete']);
    }
  }

  async start(vm: VmRef, signal?: AbortSignal): Promise<void> {
    const data = vboxData(vm.data);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.client.run(['startvm', data.uuid, '--type', 'headless'], signal);
        return;
      } catch (error) {
        if (failureOf(error) !== 'port-in-use') throw error;
        const rules = natRules((await this.info(data.uuid, signal)) ?? new Map());
        if (attempt >= this.options.startAttempts || !rules.some((rule) => data.autoRules.includes(rule.name))) throw portTaken(rules, data.autoRules, error);
        this.context.log(`${vm.name}: a forwarded host port was taken; picking new ones`);
        await this.replaceRules(data, await repick(rules, data.autoRules, data.listen), signal);
      }
    }
  }

  private async replaceRules(data: VboxVmData, rules: NatRule[], signal?: AbortSignal): Promise<void> {
    const flags = await this.flags();
    await this.client.run(deleteNatRulesArgs(flags, data.uuid, rules.map((rule) => rule.name)), signal);
    await this.client.run(addNatRulesArgs(flags, data.uuid, rules), signal);
  }

  async stop(vm: VmRef, options: StopOptions = {}): Promise<void> {
    const { uuid } = vboxData(vm.data);
    if ((await this.state(vm)) !== 'running') return;
    if (!options.force) {
      await this.client.run(['controlvm', uuid, 'acpipowerbutton'], options.signal);
      const deadline = Date.now() + (options.timeoutMs ?? 60_000);
      while (Date.now() < deadline) {
        if ((await this.state(vm)) !== 'running') return;
        await sleep(1000, undefined, { signal: options.signal });
      }
      this.context.log(`${vm.name}: no ACPI shutdown within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s; powering off`);
    }
    await this.powerOff(uuid);
  }

  private async powerOff(uuid: string): Promise<void> {
    try {
      await this.client.run(['controlvm', uuid, 'poweroff']);
    } catch (error) {
      // it stopped by itself between our look and the poweroff
      const state = (await this.info(uuid))?.get('VMState');
      if (state === 'running' || state === 'paused') throw error;
    }
  }

  async destroy(vm: VmRef): Promise<void> {
    const data = vboxData(vm.data);
    const info = await this.info(data.uuid);
    if (info?.get('name') === '<inaccessible>') {
      // VirtualBox cannot delete what it cannot read: unregister, then remove the files ourselves
      await this.client.run(['unregistervm', data.uuid]);
    } else if (info) {
      if (info.get('VMState') === 'running' || info.get('VMState') === 'paused') await this.powerOff(data.uuid);
      await this.client.run(['unregistervm', data.uuid, '--delete']);
    }
    await rm(data.folder, { recursive: true, force: true });
    await rm(data.disk, { force: true });
  }

  async state(vm: VmRef): Promise<VmState> {
    const info = await this.info(vboxData(vm.data).uuid);
    if (!info) return 'missing';
    if (info.get('name') === '<inaccessible>') {
      this.context.log(`${vm.name}: VirtualBox reports the VM inaccessible (${info.get('AccessError') ?? 'settings file unreadable'})`);
      return 'crashed';
    }
    return STATES[info.get('VMState') ?? ''] ?? 'crashed';
  }

  async endpoint(vm: VmRef): Promise<Endpoint> {
    const ssh = (await this.rules(vm)).find((rule) => rule.name === 'ssh');
    if (!ssh) throw new AtomlabError(`${vm.name} has no ssh port forward`, { code: 'FAILED', context: { provider: this.name, vm: vm.name }, hint: 'atomlab down, then up again' });
    return { host: reachable(ssh.hostIp), port: ssh.hostPort };
  }

  async forwardedPorts(vm: VmRef): Promise<{ guest: number; protocol: 'tcp' | 'udp'; host: Endpoint }[]> {
    return (await this.rules(vm)).filter((rule) => rule.name !== 'ssh').map((rule) => ({ guest: rule.guestPort, protocol: rule.protocol, host: { host: reachable(rule.hostIp), port: rule.hostPort } }));
  }

  private async rules(vm: VmRef): Promise<NatRule[]> {
    const info = await this.info(vboxData(vm.data).uuid);
    if (!info) throw new AtomlabError(`VirtualBox no longer knows ${vm.name}`, { code: 'NOT_FOUND', context: { provider: this.name, vm: vm.name }, hint: 'run atomlab up again to recreate it' });
    return natRules(info);
  }

  /** VirtualBox replaces the UART file at every power-on: the console is the whole file. */
  console(vm: VmRef, signal: AbortSignal): AsyncIterable<string> {
    return followFile(vboxData(vm.data).consoleLog, 0, signal);
  }

  async reset(vm: VmRef): Promise<void> {
    await this.client.run(['controlvm', vboxData(vm.data).uuid, 'reset']);
  }

  async hostAddressForGuest(): Promise<string> {
    return NAT_HOST;
  }

  async snapshot(vm: VmRef, name: string): Promise<void> {
    await this.client.run(['snapshot', vboxData(vm.data).uuid, 'take', name]);
  }

  /** VirtualBox restores only a powered-off VM: off, restore, and on again when it ran (a live snapshot resumes). */
  async revert(vm: VmRef, name: string): Promise<void> {
    const { uuid } = vboxData(vm.data);
    if (!(await this.listSnapshots(vm)).includes(name)) throw new AtomlabError(`${vm.name} has no snapshot "${name}"`, { code: 'BAD_INPUT', context: { vm: vm.name, provider: this.name } });
    const wasRunning = (await this.state(vm)) === 'running';
    if (wasRunning) await this.powerOff(uuid);
    await this.client.run(['snapshot', uuid, 'restore', name]);
    if (wasRunning) await this.start(vm);
  }

  async listSnapshots(vm: VmRef): Promise<string[]> {
    try {
      return snapshotNames(parseMachineReadable(await this.client.run(['snapshot', vboxData(vm.data).uuid, 'list', '--machinereadable'])));
    } catch (error) {
      if (failureOf(error) === 'no-snapshots') return [];
      throw error;
    }
  }

  async deleteSnapshot(vm: VmRef, name: string): Promise<void> {
    await this.client.run(['snapshot', vboxData(vm.data).uuid, 'delete', name]);
  }
}

/** The seed as VirtualBox takes it: an ISO (NoCloud or config-2) in the DVD drive. */
function seedIso(seed: SeedMedium, plan: VmPlan): string {
  if (seed.kind === 'drive' && seed.filesystem === 'iso9660') return seed.path;
  throw new AtomlabError(`the virtualbox provider attaches seeds as an ISO in a DVD drive; "${seed.transport}" is not one`, {
    code: 'BAD_INPUT', hint: 'use seed: nocloud or seed: configdrive', context: { provider: 'virtualbox', vm: plan.name },
  });
}

/** Where this machine reaches a forward bound to `hostIp` (all addresses: through loopback). */
function reachable(hostIp: string): string {
  return !hostIp || hostIp === '0.0.0.0' ? '127.0.0.1' : hostIp;
}
