import { libvirt } from './library.js';
import type { Connection } from './connection.js';

/** A virtual network handle (enough to check a NAT network exists and is running). */
export class Network {
  constructor(readonly conn: Connection, private pointer: bigint | undefined) {}

  get ptr(): bigint {
    if (this.pointer === undefined) throw new Error('network handle already freed');
    return this.pointer;
  }

  free(): void {
    if (this.pointer !== undefined) libvirt().virNetworkFree(this.pointer);
    this.pointer = undefined;
  }

  name(): string {
    return libvirt().virNetworkGetName(this.ptr) as string;
  }

  async isActive(): Promise<boolean> {
    return (await this.conn.calls.run<number>('virNetworkIsActive', [this.ptr], 'negative', { network: this.name() })) === 1;
  }

  async create(): Promise<void> {
    await this.conn.calls.run('virNetworkCreate', [this.ptr], 'negative', { network: this.name() });
  }

  async destroy(): Promise<void> {
    await this.conn.calls.run('virNetworkDestroy', [this.ptr], 'negative', { network: this.name() });
  }

  async undefine(): Promise<void> {
    await this.conn.calls.run('virNetworkUndefine', [this.ptr], 'negative', { network: this.name() });
  }

  async xml(): Promise<string> {
    return this.conn.calls.run<string>('virNetworkGetXMLDesc', [this.ptr, 0], 'null', { network: this.name() });
  }
}
