import { koffi, libvirt } from './library.js';
import { takePointerArray } from './call.js';
import type { Connection } from './connection.js';
import { Stream } from './stream.js';

/** virDomainState, by name. */
export const DOMAIN_STATES = ['nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended'] as const;
export type DomainState = (typeof DOMAIN_STATES)[number];

export const UNDEFINE = { MANAGED_SAVE: 1, SNAPSHOTS_METADATA: 2, NVRAM: 4, CHECKPOINTS_METADATA: 16 } as const;
export const SNAPSHOT_REVERT = { RUNNING: 1, PAUSED: 2, FORCE: 4 } as const;
export const DOMAIN_XML = { SECURE: 1, INACTIVE: 2 } as const;
/** virDomainInterfaceAddressesSource. */
export const ADDRESS_SOURCE = { LEASE: 0, AGENT: 1, ARP: 2 } as const;

export interface InterfaceAddresses {
  name: string;
  mac: string;
  addresses: { type: 'ipv4' | 'ipv6'; address: string; prefix: number }[];
}

function declareInterfaceTypes(): void {
  if (declared) return;
  koffi.struct('virDomainIPAddress', { type: 'int', addr: 'char *', prefix: 'unsigned int' });
  koffi.struct('virDomainInterface', { name: 'char *', hwaddr: 'char *', naddrs: 'unsigned int', addrs: 'void *' });
  declared = true;
}
let declared = false;

function readInterface(pointer: bigint): InterfaceAddresses {
  const raw = koffi.decode(pointer, 'virDomainInterface') as { name: string; hwaddr: string; naddrs: number; addrs: bigint };
  const addresses = raw.naddrs > 0 ? (koffi.decode(raw.addrs, 'virDomainIPAddress', raw.naddrs) as { type: number; addr: string; prefix: number }[]) : [];
  return {
    name: raw.name,
    mac: raw.hwaddr ?? '',
    addresses: addresses.map((a) => ({ type: a.type === 1 ? 'ipv6' : 'ipv4', address: a.addr, prefix: a.prefix })),
  };
}

/** A libvirt domain handle. Free it when done (it does not affect the domain itself). */
export class Domain {
  constructor(readonly conn: Connection, private pointer: bigint | undefined) {}

  get ptr(): bigint {
    if (this.pointer === undefined) throw new Error('domain handle already freed');
    return this.pointer;
  }

  free(): void {
    if (this.pointer !== undefined) libvirt().virDomainFree(this.pointer);
    this.pointer = undefined;
  }

  /** Owned by libvirt, copied by koffi: no RPC. */
  name(): string {
    return libvirt().virDomainGetName(this.ptr) as string;
  }

  uuid(): string {
    const buffer = Buffer.alloc(37);
    libvirt().virDomainGetUUIDString(this.ptr, buffer);
    return buffer.toString('latin1', 0, 36);
  }

  private run<T>(name: Parameters<Connection['calls']['run']>[0], args: unknown[], failure: 'null' | 'negative'): Promise<T> {
    return this.conn.calls.run<T>(name, [this.ptr, ...args], failure, { domain: this.name() });
  }

  async create(): Promise<void> {
    await this.run('virDomainCreate', [], 'negative');
  }

  /** Asks the guest to power off (ACPI); returns at once. */
  async shutdown(): Promise<void> {
    await this.run('virDomainShutdown', [], 'negative');
  }

  /** Pulls the plug. */
  async destroy(): Promise<void> {
    await this.run('virDomainDestroy', [], 'negative');
  }

  /** The reset button: no shutdown. */
  async reset(): Promise<void> {
    await this.run('virDomainReset', [0], 'negative');
  }

  async undefine(flags = 0): Promise<void> {
    await this.run('virDomainUndefineFlags', [flags], 'negative');
  }

  async state(): Promise<{ state: DomainState; reason: number }> {
    const state = [0];
    const reason = [0];
    await this.run('virDomainGetState', [state, reason, 0], 'negative');
    return { state: DOMAIN_STATES[state[0]!] ?? 'nostate', reason: reason[0]! };
  }

  async xml(flags = 0): Promise<string> {
    return this.run<string>('virDomainGetXMLDesc', [flags], 'null');
  }

  async createSnapshot(xml: string, flags = 0): Promise<string> {
    const snapshot = await this.run<bigint>('virDomainSnapshotCreateXML', [xml, flags], 'null');
    return takeSnapshotName(snapshot);
  }

  async snapshotNames(): Promise<string[]> {
    const out: unknown[] = [null];
    const count = await this.run<number>('virDomainListAllSnapshots', [out, 0], 'negative');
    return takePointerArray(out[0], count).map(takeSnapshotName);
  }

  async revertToSnapshot(name: string, flags = 0): Promise<void> {
    await this.withSnapshot(name, (snapshot) => this.conn.calls.run('virDomainRevertToSnapshot', [snapshot, flags], 'negative', { snapshot: name }));
  }

  async deleteSnapshot(name: string, flags = 0): Promise<void> {
    await this.withSnapshot(name, (snapshot) => this.conn.calls.run('virDomainSnapshotDelete', [snapshot, flags], 'negative', { snapshot: name }));
  }

  private async withSnapshot(name: string, use: (snapshot: bigint) => Promise<unknown>): Promise<void> {
    const snapshot = await this.run<bigint>('virDomainSnapshotLookupByName', [name, 0], 'null');
    try {
      await use(snapshot);
    } finally {
      libvirt().virDomainSnapshotFree(snapshot);
    }
  }

  /** Connects a non-blocking stream to the domain's console (the first serial port unless `device`). */
  async openConsole(options: { device?: string; force?: boolean } = {}): Promise<Stream> {
    const stream = await Stream.create(this.conn, { nonBlocking: true });
    try {
      await this.run('virDomainOpenConsole', [options.device ?? null, stream.ptr, options.force ? 1 : 0], 'negative');
      return stream;
    } catch (error) {
      stream.free();
      throw error;
    }
  }

  /** Addresses of the domain's interfaces (from DHCP leases by default). */
  async interfaceAddresses(source: number = ADDRESS_SOURCE.LEASE): Promise<InterfaceAddresses[]> {
    declareInterfaceTypes();
    const out: unknown[] = [null];
    const count = await this.run<number>('virDomainInterfaceAddresses', [out, source, 0], 'negative');
    return takePointerArray(out[0], count).map((pointer) => {
      try {
        return readInterface(pointer);
      } finally {
        libvirt().virDomainInterfaceFree(pointer);
      }
    });
  }
}

function takeSnapshotName(snapshot: bigint): string {
  try {
    return libvirt().virDomainSnapshotGetName(snapshot) as string;
  } finally {
    libvirt().virDomainSnapshotFree(snapshot);
  }
}
