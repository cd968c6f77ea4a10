import { rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import type { CreateRequest, DiskRequest, Endpoint, HostResources, LabHooks, LabInfo, LabResource, Probe, Provider, Resources, Snapshots, StopOptions, VmRef, VmState } from '../../lab/provider/index.js';
import type { VmPlan } from '../../lab/plan/index.js';
import { LibvirtError, UNDEFINE, VIR_ERR, type Connection, type Domain, type DomainState } from './libvirt-client.js';
import { freePort } from '../../lab/net/index.js';
import { createVm, type LibvirtVmData } from './create-vm.js';
import { domainXml } from './domain-xml.js';
import { el, renderXml } from './xml.js';
import { logLines, streamLines } from './console.js';
import { deleteUnusedBase, deleteVolumes, onePoolAtATime } from './volumes.js';
import { probeLibvirt } from './probe.js';
import { ensureLabNetwork, removeLabNetworks } from './lab-network.js';
import { isLoopback, uriHost, type LibvirtOptions } from './options.js';
import { connectionLost, lostDuring, openWaiting } from './reconnect.js';

const STATES: Record<DomainState, VmState> = {
  nostate: 'stopped',
  running: 'running',
  blocked: 'running',
  paused: 'paused',
  shutdown: 'running',
  shutoff: 'stopped',
  crashed: 'crashed',
  pmsuspended: 'paused',
};

/** virDomainShutoffReason VIR_DOMAIN_SHUTOFF_CRASHED: its QEMU died or was killed behind libvirt's back. */
const SHUTOFF_CRASHED = 3;

/** An internal snapshot of the system disk (with memory when running); the seed CD-ROM is read-only. */
export function snapshotXml(name: string): string {
  return renderXml(el('domainsnapshot', {}, el('name', {}, name), el('disks', {}, el('disk', { name: 'vda', snapshot: 'internal' }))));
}

/** What an operation is called in errors, and whether it may run again after its connection broke. */
interface Attempt {
  what: string;
  repeat: boolean;
  signal?: AbortSignal;
}

const REPEATABLE = (what: string): Attempt => ({ what, repeat: true });
const ONCE = (what: string, signal?: AbortSignal): Attempt => ({ what, repeat: false, signal });

function dataOf(vm: VmRef): LibvirtVmData {
  return vm.data as LibvirtVmData;
}

function isNotFound(error: unknown): boolean {
  return error instanceof LibvirtError && error.isNotFound;
}

function isNotRunning(error: unknown): boolean {
  return error instanceof LibvirtError && error.libvirtCode === VIR_ERR.OPERATION_INVALID;
}

/** The libvirt provider: local or remote hosts, all through libvirt's API. */
export class LibvirtProvider implements Provider, Snapshots, Resources, LabHooks {
  readonly name = 'libvirt';

  constructor(readonly options: LibvirtOptions) {}

  probe(): Promise<Probe> {
    return probeLibvirt(this.options);
  }

  /** The libvirt host's CPU threads and memory (free + buffers + cached counts as available). */
  hostResources(): Promise<HostResources> {
    return this.withConnection(this.options.uri, async (conn) => {
      const [info, memory] = await Promise.all([conn.nodeInfo(), conn.nodeMemoryStats()]);
      const kib = (field: string) => memory[field] ?? 0;
      return {
        host: this.options.uri,
        cpus: info.cpus,
        memoryMiB: Math.floor((kib('total') || info.memoryKiB) / 1024),
        availableMiB: Math.floor((kib('free') + kib('buffers') + kib('cached')) / 1024),
      };
    }, REPEATABLE('reading the host\'s resources'));
  }

  /**
   * One connection per operation (an open connection keeps the process alive), made once
   * libvirtd answers. When the connection breaks during the operation, one that is safe to
   * repeat (`repeat`) runs once more on a new connection; any other says what was lost.
   */
  private async withConnection<T>(uri: string, use: (conn: Connection) => Promise<T>, how: Attempt): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const conn = await openWaiting(uri, { timeoutMs: this.options.reconnectTimeoutMs, signal: how.signal });
      try {
        return await use(conn);
      } catch (error) {
        if (!connectionLost(error, conn)) throw error;
        if (!how.repeat || attempt > 1) throw lostDuring(uri, how.what, error);
      } finally {
        await conn.close().catch(() => undefined); // a broken connection closes with an error; nothing is left to release
      }
    }
  }

  private withDomain<T>(vm: VmRef, use: (domain: Domain) => Promise<T>, how: Attempt): Promise<T> {
    const data = dataOf(vm);
    return this.withConnection(data.uri, async (conn) => {
      const domain = await conn.lookupDomainByUuid(data.uuid);
      try {
        return await use(domain);
      } finally {
        domain.free();
      }
    }, how);
  }

  /** The base goes into the pool once (a volume named by its digest); each VM gets a qcow2 overlay volume on it. */
  diskWanted(): DiskRequest {
    return { kind: 'store', formats: ['qcow2', 'raw'] };
  }

  create(request: CreateRequest, signal?: AbortSignal): Promise<VmRef> {
    signal?.throwIfAborted();
    return this.withConnection(this.options.uri, (conn) => createVm(conn, request, this.options), ONCE(`creating ${request.plan.name}`, signal));
  }

  /** A lab network when the scenario asks for one (`network: {create: nat}`); nothing otherwise. */
  async prepareLab(lab: LabInfo, record: (resource: LabResource) => Promise<void>, signal?: AbortSignal): Promise<void> {
    if (!this.options.labNetwork) return;
    signal?.throwIfAborted();
    await this.withConnection(this.options.uri, (conn) => ensureLabNetwork(conn, this.options, lab, record), ONCE('making the lab network', signal));
  }

  async teardownLab(_lab: Pick<LabInfo, 'name' | 'stateDir'>, resources: LabResource[]): Promise<void> {
    const uri = resources.map((resource) => resource.data.uri).find((value): value is string => typeof value === 'string') ?? this.options.uri;
    await this.withConnection(uri, (conn) => removeLabNetworks(conn, resources), REPEATABLE('removing the lab network'));
  }

  async start(vm: VmRef, signal?: AbortSignal): Promise<void> {
    const data = dataOf(vm);
    if (data.spec.console?.kind === 'unix') data.consoleOffset = await stat(data.spec.console.logPath).then((info) => info.size, () => 0);
    for (let attempt = 1; ; attempt += 1) {
      signal?.throwIfAborted();
      try {
        return await this.withDomain(vm, (domain) => domain.create(), ONCE(`starting ${vm.name}`, signal));
      } catch (error) {
        const portTaken = error instanceof LibvirtError && /host forwarding rule/.test(error.libvirtMessage);
        if (!portTaken || attempt >= 5) throw error;
        await this.movePorts(vm);
      }
    }
  }

  /** A forwarded port was taken between create and start: pick new ones and redefine. */
  private async movePorts(vm: VmRef): Promise<void> {
    const data = dataOf(vm);
    if (data.spec.networking.kind !== 'user') return;
    data.forwards = await Promise.all(data.forwards.map(async (forward) => ({ ...forward, host: await freePort() })));
    data.spec = { ...data.spec, networking: { ...data.spec.networking, forwards: data.forwards } };
    await this.withConnection(data.uri, async (conn) => (await conn.defineDomain(domainXml(data.spec))).free(), REPEATABLE(`redefining ${vm.name}`));
  }

  async stop(vm: VmRef, options: StopOptions = {}): Promise<void> {
    await this.withDomain(vm, async (domain) => {
      if (!options.force) {
        await domain.shutdown().catch((error: unknown) => {
          if (!isNotRunning(error)) throw error;
        });
        if (await this.waitForShutoff(domain, options)) return;
      }
      await domain.destroy().catch((error: unknown) => {
        if (!isNotRunning(error)) throw error;
      });
    }, REPEATABLE(`stopping ${vm.name}`));
  }

  async reset(vm: VmRef): Promise<void> {
    await this.withDomain(vm, (domain) => domain.reset(), ONCE(`resetting ${vm.name}`));
  }

  private async waitForShutoff(domain: Domain, options: StopOptions): Promise<boolean> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while (Date.now() < deadline && !options.signal?.aborted) {
      if ((await domain.state()).state === 'shutoff') return true;
      await sleep(500);
    }
    return false;
  }

  async destroy(vm: VmRef): Promise<void> {
    const data = dataOf(vm);
    await this.withConnection(data.uri, async (conn) => {
      await this.removeDomain(conn, data);
      await onePoolAtATime(data.pool, () => this.removeVolumes(conn, data));
    }, REPEATABLE(`removing ${vm.name}`));
    if (data.spec.console?.kind === 'unix') await rm(data.spec.console.socketPath, { force: true });
  }

  private async removeDomain(conn: Connection, data: LibvirtVmData): Promise<void> {
    let domain: Domain;
    try {
      domain = await conn.lookupDomainByUuid(data.uuid);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    try {
      await domain.destroy().catch((error: unknown) => {
        if (!isNotRunning(error)) throw error;
      });
      await domain.undefine(UNDEFINE.SNAPSHOTS_METADATA | UNDEFINE.NVRAM | UNDEFINE.MANAGED_SAVE | UNDEFINE.CHECKPOINTS_METADATA);
    } finally {
      domain.free();
    }
  }

  private async removeVolumes(conn: Connection, data: LibvirtVmData): Promise<void> {
    let pool;
    try {
      pool = await conn.lookupPool(data.pool);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    try {
      await deleteVolumes(pool, data.volumes);
      await deleteUnusedBase(pool, data.base);
    } finally {
      pool.free();
    }
  }

  async state(vm: VmRef): Promise<VmState> {
    try {
      return await this.withDomain(vm, async (domain) => {
        const { state, reason } = await domain.state();
        return state === 'shutoff' && reason === SHUTOFF_CRASHED ? 'crashed' : STATES[state];
      }, REPEATABLE(`reading the state of ${vm.name}`));
    } catch (error) {
      if (isNotFound(error)) return 'missing';
      throw error;
    }
  }

  async endpoint(vm: VmRef): Promise<Endpoint> {
    const data = dataOf(vm);
    const ssh = data.forwards.find((forward) => forward.guest === 22 && forward.protocol === 'tcp');
    if (ssh) return { host: data.reach, port: ssh.host };
    const address = await this.withDomain(vm, async (domain) => {
      const interfaces = await domain.interfaceAddresses();
      return interfaces.flatMap((i) => i.addresses).find((a) => a.type === 'ipv4')?.address;
    }, REPEATABLE(`reading the address of ${vm.name}`));
    if (address) return { host: address, port: 22 };
    throw new AtomlabError(`${vm.name} has no DHCP lease on network ${data.network} yet`, {
      code: 'NOT_FOUND',
      hint: 'the guest may still be booting; check the network with: virsh net-dhcp-leases ' + (data.network ?? ''),
      context: { provider: 'libvirt', vm: vm.name },
    });
  }

  async forwardedPorts(vm: VmRef): Promise<{ guest: number; protocol: 'tcp' | 'udp'; host: Endpoint }[]> {
    const data = dataOf(vm);
    return data.forwards.slice(1).map((f) => ({ guest: f.guest, protocol: f.protocol, host: { host: data.reach, port: f.host } }));
  }

  /**
   * User networking run by a libvirtd on this machine reaches the host's 127.0.0.1 at 10.0.2.2.
   * A remote libvirt host, or a libvirt network, has no way back to this machine's loopback.
   */
  hostAddressForGuest(plan: VmPlan): Promise<string> {
    const refuse = (why: string, hint: string) =>
      Promise.reject(new AtomlabError(`${plan.name} cannot reach files served on this machine: ${why}`, { code: 'BAD_INPUT', hint, context: { vm: plan.name, provider: this.name } }));
    const host = uriHost(this.options.uri);
    if (!isLoopback(host)) return refuse(`the libvirt host ${host} is another machine`, 'serve the files from a server the libvirt host can reach, or use a local libvirt URI');
    if (this.options.network || this.options.labNetwork) return refuse(`it is on libvirt network "${this.options.network ?? 'of the lab'}", not user networking`, 'drop the provider\'s network option (user networking reaches the host at 10.0.2.2)');
    if (plan.hardware.nics === 0) return refuse('it has no network card', 'set hardware.nics to 1 or more');
    return Promise.resolve('10.0.2.2');
  }

  console(vm: VmRef, signal: AbortSignal): AsyncIterable<string> {
    const data = dataOf(vm);
    const wiring = data.spec.console;
    if (!wiring) throw new AtomlabError(`${vm.name} has no serial console`, { code: 'BAD_INPUT', hint: 'set hardware.serial: true' });
    if (wiring.kind === 'unix') return logLines(wiring.logPath, data.consoleOffset ?? 0, signal);
    return streamLines({ uri: data.uri, uuid: data.uuid, logPath: data.consoleLog, signal });
  }

  async snapshot(vm: VmRef, name: string): Promise<void> {
    await this.withDomain(vm, (domain) => domain.createSnapshot(snapshotXml(name)), ONCE(`snapshot ${name} of ${vm.name}`));
  }

  async revert(vm: VmRef, name: string): Promise<void> {
    await this.withDomain(vm, (domain) => domain.revertToSnapshot(name), ONCE(`reverting ${vm.name} to ${name}`));
  }

  listSnapshots(vm: VmRef): Promise<string[]> {
    return this.withDomain(vm, (domain) => domain.snapshotNames(), REPEATABLE(`listing the snapshots of ${vm.name}`));
  }

  async deleteSnapshot(vm: VmRef, name: string): Promise<void> {
    await this.withDomain(vm, (domain) => domain.deleteSnapshot(name), ONCE(`deleting snapshot ${name} of ${vm.name}`));
  }
}
