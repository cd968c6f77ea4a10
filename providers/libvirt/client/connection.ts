import { LibvirtError, unknownError } from './errors.js';
import { libvirt } from './library.js';
import { CallQueue, callAsync, takePointerArray } from './call.js';
import { ensureInitialized, releaseLoop, retainLoop, takeHandledError, trackConnection } from './event-loop.js';
import { Domain } from './domain.js';
import { StoragePool } from './storage.js';
import { Network } from './network.js';
import { nodeInfo, nodeMemoryStats, type NodeInfo } from './node.js';

/** libvirt encodes versions as major * 1,000,000 + minor * 1,000 + release. */
export function formatVersion(encoded: number): string {
  return `${Math.floor(encoded / 1_000_000)}.${Math.floor(encoded / 1000) % 1000}.${encoded % 1000}`;
}

let openQueue: Promise<unknown> = Promise.resolve();

async function openPointer(uri: string): Promise<bigint> {
  ensureInitialized();
  takeHandledError();
  const pointer = (await callAsync('virConnectOpen', [uri])) as bigint | null;
  if (pointer) return pointer;
  const detail = takeHandledError() ?? unknownError('virConnectOpen');
  throw new LibvirtError('virConnectOpen', detail, {
    context: { uri },
    hint: 'is libvirtd running and reachable at this URI? (atomlab doctor; scripts/libvirtd start)',
  });
}

/** One open connection to a libvirt URI. Close it when done: it keeps the event loop alive. */
export class Connection {
  readonly calls: CallQueue;
  private pointer: bigint | undefined;

  private constructor(readonly uri: string, pointer: bigint) {
    this.pointer = pointer;
    this.calls = new CallQueue(() => this.ptr);
    trackConnection(pointer, true);
  }

  /** Opens any URI: qemu:///system, qemu:///session, qemu+ssh://…, qemu+tcp://…, test:///…. */
  static async open(uri: string): Promise<Connection> {
    retainLoop();
    // Opens are serialized: a failed open reports through the process-wide error handler.
    const opened = openQueue.then(() => openPointer(uri));
    openQueue = opened.catch(() => undefined);
    try {
      return new Connection(uri, await opened);
    } catch (error) {
      await releaseLoop();
      throw error;
    }
  }

  get ptr(): bigint {
    if (this.pointer === undefined) throw new Error(`connection to ${this.uri} is closed`);
    return this.pointer;
  }

  get closed(): boolean {
    return this.pointer === undefined;
  }

  async close(): Promise<void> {
    if (this.pointer === undefined) return;
    const pointer = this.pointer;
    trackConnection(pointer, false);
    await this.calls.run('virConnectClose', [pointer], 'negative').finally(() => {
      this.pointer = undefined;
    });
    await releaseLoop();
  }

  /** False once the link to the daemon is gone (the daemon stopped, or the connection broke). */
  isAlive(): boolean {
    return this.pointer !== undefined && libvirt().virConnectIsAlive(this.pointer) === 1;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async libVersion(): Promise<string> {
    const out = [0];
    await this.calls.run('virConnectGetLibVersion', [this.ptr, out], 'negative');
    return formatVersion(Number(out[0]));
  }

  async hypervisorVersion(): Promise<string> {
    const out = [0];
    await this.calls.run('virConnectGetVersion', [this.ptr, out], 'negative');
    return formatVersion(Number(out[0]));
  }

  /** The driver name: QEMU, Test, … */
  async type(): Promise<string> {
    return this.calls.run<string>('virConnectGetType', [this.ptr], 'null');
  }

  async hostname(): Promise<string> {
    return this.calls.run<string>('virConnectGetHostname', [this.ptr], 'null');
  }

  async capabilities(): Promise<string> {
    return this.calls.run<string>('virConnectGetCapabilities', [this.ptr], 'null');
  }

  /** Sends keepalives every `intervalS`; the connection dies after `count` unanswered ones. */
  async setKeepAlive(intervalS: number, count: number): Promise<void> {
    await this.calls.run('virConnectSetKeepAlive', [this.ptr, intervalS, count], 'negative');
  }

  /** The host's CPUs and memory. */
  nodeInfo(): Promise<NodeInfo> {
    return nodeInfo(this.calls, this.ptr);
  }

  /** The host's memory figures in KiB (total, free, buffers, cached). */
  nodeMemoryStats(): Promise<Record<string, number>> {
    return nodeMemoryStats(this.calls, this.ptr);
  }

  async defineDomain(xml: string): Promise<Domain> {
    return new Domain(this, await this.calls.run<bigint>('virDomainDefineXML', [this.ptr, xml], 'null'));
  }

  async lookupDomain(name: string): Promise<Domain> {
    return new Domain(this, await this.calls.run<bigint>('virDomainLookupByName', [this.ptr, name], 'null', { domain: name }));
  }

  async lookupDomainByUuid(uuid: string): Promise<Domain> {
    return new Domain(this, await this.calls.run<bigint>('virDomainLookupByUUIDString', [this.ptr, uuid], 'null', { uuid }));
  }

  /** Every domain, running or defined; free each (or use domainNames). */
  async listDomains(): Promise<Domain[]> {
    const out: unknown[] = [null];
    const count = await this.calls.run<number>('virConnectListAllDomains', [this.ptr, out, 0], 'negative');
    return takePointerArray(out[0], count).map((pointer) => new Domain(this, pointer));
  }

  async domainNames(): Promise<string[]> {
    const domains = await this.listDomains();
    try {
      return domains.map((domain) => domain.name());
    } finally {
      for (const domain of domains) domain.free();
    }
  }

  async lookupPool(name: string): Promise<StoragePool> {
    return new StoragePool(this, await this.calls.run<bigint>('virStoragePoolLookupByName', [this.ptr, name], 'null', { pool: name }));
  }

  /** Defines a persistent pool (not built or started). */
  async definePool(xml: string): Promise<StoragePool> {
    return new StoragePool(this, await this.calls.run<bigint>('virStoragePoolDefineXML', [this.ptr, xml, 0], 'null'));
  }

  /** Every network, active or defined; free each. */
  async listNetworks(): Promise<Network[]> {
    const out: unknown[] = [null];
    const count = await this.calls.run<number>('virConnectListAllNetworks', [this.ptr, out, 0], 'negative');
    return takePointerArray(out[0], count).map((pointer) => new Network(this, pointer));
  }

  async defineNetwork(xml: string): Promise<Network> {
    return new Network(this, await this.calls.run<bigint>('virNetworkDefineXML', [this.ptr, xml], 'null'));
  }

  async lookupNetwork(name: string): Promise<Network> {
    return new Network(this, await this.calls.run<bigint>('virNetworkLookupByName', [this.ptr, name], 'null', { network: name }));
  }
}
