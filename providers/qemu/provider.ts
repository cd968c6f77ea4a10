import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { QemuOptions } from './options.js';
import { AtomlabError } from '../../lab/errors/index.js';
import { chooseSoundModel, qemuDevices } from '../../lab/hardware/index.js';
import { requireTool, which } from '../../lab/host/index.js';
import { createOverlay } from '../../lab/images/index.js';
import { freePort } from '../../lab/net/index.js';
import type { CreateRequest, DiskRequest, Endpoint, HostResources, Probe, Provider, Resources, Snapshots, StopOptions, VmRef, VmState } from '../../lab/provider/index.js';
import type { SeedMedium } from '../../lab/seed/index.js';
import type { VmPlan } from '../../lab/plan/index.js';
import { probeAccelerator, type AccelAnswer } from './accel-probe.js';
import { localResources } from './host-resources.js';
import { qemuArguments, type Forward, type SeedAttachment } from './command-line.js';
import { followConsole } from './console-log.js';
import { isPortClash, launchDaemonized, livePid, waitForExit } from './qemu-process.js';
import { qmpOnce } from './qmp-client.js';
import { QemuSnapshots } from './qemu-snapshots.js';
import { vmData, vmPaths, type QemuRuntime, type QemuVmData } from './vm-files.js';

export interface QemuSettings extends QemuOptions {
  /** Lines worth telling the user (the accelerator choice, a sound fallback). */
  log?: (line: string) => void;
}

/** QEMU reads every format qemu-img writes: no conversion, a qcow2 overlay on whatever the image is. */
const ANY_FORMAT: DiskRequest = { kind: 'file', formats: ['qcow2', 'raw', 'vmdk', 'vdi'] };

/** The seed as QEMU attaches it; keys and plain user-data have no way into a local VM. */
export function seedAttachment(seed: SeedMedium, vm: string): SeedAttachment {
  if (seed.kind === 'drive') return { kind: 'drive', path: seed.path, attachAs: seed.attachAs };
  if (seed.kind === 'ignition') return { kind: 'fwcfg', name: seed.fwcfgName, path: seed.path };
  throw new AtomlabError(`the qemu provider cannot carry a ${seed.transport} seed`, { code: 'BAD_INPUT', hint: 'use seed: nocloud, nocloud-vfat, configdrive or configdrive-vfat', context: { vm, provider: 'qemu' } });
}

const UEFI_CODE = ['/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_CODE.fd'];
const UEFI_VARS = ['/usr/share/OVMF/OVMF_VARS_4M.fd', '/usr/share/OVMF/OVMF_VARS.fd'];
const LAUNCH_ATTEMPTS = 4;
const LOOPBACK = '127.0.0.1';

/** Where this machine reaches ports bound to `listen` (all addresses: through loopback). */
function reachableAt(listen: string | undefined): string {
  return !listen || listen === '0.0.0.0' ? LOOPBACK : listen;
}
/** QEMU user networking's address for the host (its 127.0.0.1), as guests see it. */
const USER_NET_HOST = '10.0.2.2';

async function firstExisting(paths: string[]): Promise<string | undefined> {
  for (const path of paths) if (await stat(path).then(() => true, () => false)) return path;
  return undefined;
}

/** QEMU run directly, controlled over QMP; no daemon needed. */
export class QemuProvider implements Provider, Snapshots, Resources {
  readonly name = 'qemu';
  private accelAnswer: Promise<AccelAnswer> | undefined;
  private readonly snapshots = new QemuSnapshots((vm) => this.state(vm));

  constructor(private readonly options: QemuSettings = {}) {}

  private get binary(): string {
    return this.options.binary ?? 'qemu-system-x86_64';
  }

  private async accelerator(): Promise<AccelAnswer> {
    if (this.options.accel === 'kvm' || this.options.accel === 'tcg') return { accel: this.options.accel, reason: 'set in the scenario' };
    this.accelAnswer ??= probeAccelerator({ binary: this.binary }).then((answer) => {
      if (answer.accel === 'tcg') this.options.log?.(`using TCG emulation (slower): ${answer.reason}`);
      return answer;
    });
    return this.accelAnswer;
  }

  async probe(): Promise<Probe> {
    const path = this.options.binary ?? (await which('qemu-system-x86_64'));
    if (!path) return { available: false, reason: 'qemu-system-x86_64 not found: apt-get install qemu-system-x86', notes: [] };
    const devices = await qemuDevices(this.binary);
    const soundModels = (['ich6', 'ich9', 'ac97', 'es1370'] as const).filter((m) => chooseSoundModel(m, devices).model === m);
    const accel = await this.accelerator();
    return { available: true, accelerator: accel.accel, soundModels, notes: [accel.reason] };
  }

  /** QEMU runs VMs on this machine: its CPU threads and MemAvailable. */
  hostResources(): Promise<HostResources> {
    return localResources();
  }

  diskWanted(): DiskRequest {
    return ANY_FORMAT;
  }

  async create(request: CreateRequest): Promise<VmRef> {
    await requireTool('qemu-img');
    const { plan, base } = request;
    const uefi = plan.hardware.firmware === 'uefi';
    const paths = vmPaths(request.dir, seedAttachment(request.seed, plan.name), request.consoleLog, uefi);
    await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
    const devices = await qemuDevices(this.binary);
    const sound = chooseSoundModel(plan.hardware.sound, devices);
    if (sound.warning) this.options.log?.(`${plan.name}: ${sound.warning}`);
    const uefiCode = uefi ? await this.prepareUefi(paths.uefiVars!) : undefined;
    await createOverlay({ base: base.path, baseFormat: base.format, path: paths.disk, sizeBytes: plan.diskBytes });
    const { accel } = await this.accelerator();
    const data: QemuVmData = { ...paths, binary: this.binary, accel, sound: sound.model, uefiCode, biosOnSerial: devices.has('sga'), plan };
    return { provider: this.name, lab: plan.lab, name: plan.name, data: data as unknown as Record<string, unknown> };
  }

  private async prepareUefi(varsPath: string): Promise<string> {
    const code = await firstExisting(UEFI_CODE);
    const vars = await firstExisting(UEFI_VARS);
    if (!code || !vars) throw new AtomlabError('UEFI firmware (OVMF) not found', { code: 'MISSING_TOOL', hint: 'install it with: apt-get install ovmf (or run scripts/setup-host)' });
    await copyFile(vars, varsPath);
    return code;
  }

  private async chooseForwards(plan: VmPlan): Promise<Forward[]> {
    const forwards: Forward[] = [{ protocol: 'tcp', guest: 22, host: await freePort() }];
    for (const port of plan.ports) forwards.push({ protocol: port.protocol, guest: port.guest, host: port.host === 'auto' ? await freePort() : port.host });
    return forwards;
  }

  async start(vm: VmRef, signal?: AbortSignal): Promise<void> {
    const data = vmData(vm.data);
    if (await livePid(data.pidFile, data.qmpSocket)) return;
    await mkdir(data.runDir, { recursive: true, mode: 0o700 });
    let lastError = '';
    for (let attempt = 1; attempt <= LAUNCH_ATTEMPTS; attempt++) {
      const forwards = await this.chooseForwards(data.plan);
      const displayPort = data.plan.hardware.graphics === 'none' ? undefined : await freePort();
      const consoleOffset = await stat(data.consoleLog).then((s) => s.size, () => 0);
      const listen = this.options.listen ?? LOOPBACK;
      const runtime: QemuRuntime = { forwards, listen, displayPort, consoleOffset, startedAt: new Date().toISOString() };
      await writeFile(data.runtimeFile, `${JSON.stringify(runtime, null, 2)}\n`);
      const args = qemuArguments({ plan: data.plan, paths: data, accel: data.accel, sound: data.sound, forwards, listen, displayPort, uefiCode: data.uefiCode, biosOnSerial: data.biosOnSerial });
      const result = await launchDaemonized(data.binary, args, signal);
      if (result.ok) return;
      lastError = result.stderr;
      const fixedPorts = data.plan.ports.some((p) => p.host !== 'auto');
      if (!isPortClash(result.stderr) || (fixedPorts && attempt > 1)) break; // a chosen port was taken: choose again
    }
    throw new AtomlabError(`QEMU refused to start ${vm.name}: ${lastError.split('\n').pop() ?? 'no reason given'}`, {
      code: 'FAILED',
      context: { vm: vm.name, provider: this.name, command: data.binary, stderrTail: lastError },
      hint: isPortClash(lastError) ? 'a host port in the scenario\'s ports is taken by another program' : undefined,
    });
  }

  async stop(vm: VmRef, options: StopOptions = {}): Promise<void> {
    const data = vmData(vm.data);
    const pid = await livePid(data.pidFile, data.qmpSocket);
    if (!pid) return void (await rm(data.pidFile, { force: true })); // a crashed VM's pidfile: stopped now
    const log = (line: string) => this.options.log?.(`${vm.name}: ${line}`);
    if (!options.force) {
      log('asking the guest to power off (ACPI)');
      await qmpOnce(data.qmpSocket, 'system_powerdown').catch(() => undefined);
      if (await waitForExit(pid, options.timeoutMs ?? 60_000, options.signal)) return;
      log('the guest did not power off in time: quitting QEMU');
    }
    await qmpOnce(data.qmpSocket, 'quit').catch(() => undefined);
    if (await waitForExit(pid, 5_000)) return;
    log('QEMU did not quit: killing it');
    process.kill(pid, 'SIGKILL');
    if (await waitForExit(pid, 5_000)) await rm(data.pidFile, { force: true });
  }

  async reset(vm: VmRef): Promise<void> {
    const data = vmData(vm.data);
    if (!(await livePid(data.pidFile, data.qmpSocket))) throw new AtomlabError(`${vm.name} is not running: cannot reset it`, { code: 'FAILED', context: { vm: vm.name } });
    await qmpOnce(data.qmpSocket, 'system_reset');
  }

  async destroy(vm: VmRef): Promise<void> {
    const data = vmData(vm.data);
    await this.stop(vm, { force: true });
    const files = [data.disk, data.pidFile, data.runtimeFile, data.qmpSocket, data.consoleSocket, data.uefiVars];
    await Promise.all(files.filter((f): f is string => Boolean(f)).map((f) => rm(f, { force: true })));
    if (data.runDir !== data.dir) await rm(data.runDir, { recursive: true, force: true });
  }

  async state(vm: VmRef): Promise<VmState> {
    const data = vmData(vm.data);
    if (!(await livePid(data.pidFile, data.qmpSocket))) {
      if (!(await stat(data.disk).then(() => true, () => false))) return 'missing';
      // QEMU removes its pidfile when it exits; one left behind means it was killed or died
      return (await stat(data.pidFile).then(() => true, () => false)) ? 'crashed' : 'stopped';
    }
    const status = await qmpOnce<{ status: string }>(data.qmpSocket, 'query-status').catch(() => undefined);
    if (!status) return 'running';
    if (status.status === 'paused' || status.status === 'suspended') return 'paused';
    if (status.status === 'guest-panicked' || status.status === 'internal-error') return 'crashed';
    if (status.status === 'shutdown') return 'stopped';
    return 'running';
  }

  private async runtime(vm: VmRef): Promise<QemuRuntime> {
    const text = await readFile(vmData(vm.data).runtimeFile, 'utf8').catch(() => undefined);
    if (!text) throw new AtomlabError(`${vm.name} is not running`, { code: 'FAILED', hint: 'start it with atomlab up', context: { vm: vm.name } });
    return JSON.parse(text) as QemuRuntime;
  }

  async endpoint(vm: VmRef): Promise<Endpoint> {
    const runtime = await this.runtime(vm);
    return { host: reachableAt(runtime.listen), port: runtime.forwards[0]!.host };
  }

  async forwardedPorts(vm: VmRef): Promise<{ guest: number; protocol: 'tcp' | 'udp'; host: Endpoint }[]> {
    const runtime = await this.runtime(vm);
    return runtime.forwards.slice(1).map((f) => ({ guest: f.guest, protocol: f.protocol, host: { host: reachableAt(runtime.listen), port: f.host } }));
  }

  /** User networking: the guest reaches the host's 127.0.0.1 at the slirp gateway. */
  hostAddressForGuest(plan: VmPlan): Promise<string> {
    if (plan.hardware.nics === 0) {
      return Promise.reject(new AtomlabError(`${plan.name} has no network card, so it cannot reach the lab's served files`, { code: 'BAD_INPUT', hint: 'set hardware.nics to 1 or more', context: { vm: plan.name, provider: this.name } }));
    }
    return Promise.resolve(USER_NET_HOST);
  }

  async openConsole(vm: VmRef): Promise<Duplex> {
    const path = vmData(vm.data).consoleSocket;
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(socket));
      socket.once('error', (error) => reject(new AtomlabError(`cannot attach to the console of ${vm.name}: ${error.message}`, { code: 'FAILED', hint: 'is the VM running? another `atomlab console` may hold it' })));
    });
  }

  async *console(vm: VmRef, signal: AbortSignal): AsyncIterable<string> {
    const offset = await this.runtime(vm).then((r) => r.consoleOffset, () => 0);
    yield* followConsole(vmData(vm.data).consoleLog, offset, signal);
  }

  snapshot(vm: VmRef, name: string): Promise<void> {
    return this.snapshots.create(vm, name);
  }

  revert(vm: VmRef, name: string): Promise<void> {
    return this.snapshots.revert(vm, name);
  }

  listSnapshots(vm: VmRef): Promise<string[]> {
    return this.snapshots.list(vm);
  }

  deleteSnapshot(vm: VmRef, name: string): Promise<void> {
    return this.snapshots.remove(vm, name);
  }
}

