import { stat } from 'node:fs/promises';
import { libvirt } from './library.js';
import { takePointerArray, type FunctionName } from './call.js';
import type { Connection } from './connection.js';
import { Stream, sendFile } from './stream.js';

/** A storage pool handle. */
export class StoragePool {
  constructor(readonly conn: Connection, private pointer: bigint | undefined) {}

  get ptr(): bigint {
    if (this.pointer === undefined) throw new Error('pool handle already freed');
    return this.pointer;
  }

  free(): void {
    if (this.pointer !== undefined) libvirt().virStoragePoolFree(this.pointer);
    this.pointer = undefined;
  }

  name(): string {
    return libvirt().virStoragePoolGetName(this.ptr) as string;
  }

  private run<T>(name: FunctionName, args: unknown[], failure: 'null' | 'negative'): Promise<T> {
    return this.conn.calls.run<T>(name, [this.ptr, ...args], failure, { pool: this.name() });
  }

  /** Makes the pool's directory (or whatever its type needs). */
  async build(): Promise<void> {
    await this.run('virStoragePoolBuild', [0], 'negative');
  }

  async start(): Promise<void> {
    await this.run('virStoragePoolCreate', [0], 'negative');
  }

  async stop(): Promise<void> {
    await this.run('virStoragePoolDestroy', [], 'negative');
  }

  /** Removes the pool's directory (must be empty and the pool stopped). */
  async deleteStorage(): Promise<void> {
    await this.run('virStoragePoolDelete', [0], 'negative');
  }

  async undefine(): Promise<void> {
    await this.run('virStoragePoolUndefine', [], 'negative');
  }

  async isActive(): Promise<boolean> {
    return (await this.run<number>('virStoragePoolIsActive', [], 'negative')) === 1;
  }

  async refresh(): Promise<void> {
    await this.run('virStoragePoolRefresh', [0], 'negative');
  }

  async xml(): Promise<string> {
    return this.run<string>('virStoragePoolGetXMLDesc', [0], 'null');
  }

  async createVolume(xml: string): Promise<Volume> {
    return new Volume(this.conn, await this.run<bigint>('virStorageVolCreateXML', [xml, 0], 'null'));
  }

  async lookupVolume(name: string): Promise<Volume> {
    return new Volume(this.conn, await this.conn.calls.run<bigint>('virStorageVolLookupByName', [this.ptr, name], 'null', { pool: this.name(), volume: name }));
  }

  async listVolumes(): Promise<Volume[]> {
    const out: unknown[] = [null];
    const count = await this.run<number>('virStoragePoolListAllVolumes', [out, 0], 'negative');
    return takePointerArray(out[0], count).map((pointer) => new Volume(this.conn, pointer));
  }

  async volumeNames(): Promise<string[]> {
    const volumes = await this.listVolumes();
    try {
      return volumes.map((volume) => volume.name());
    } finally {
      for (const volume of volumes) volume.free();
    }
  }
}

/** A storage volume handle. */
export class Volume {
  constructor(readonly conn: Connection, private pointer: bigint | undefined) {}

  get ptr(): bigint {
    if (this.pointer === undefined) throw new Error('volume handle already freed');
    return this.pointer;
  }

  free(): void {
    if (this.pointer !== undefined) libvirt().virStorageVolFree(this.pointer);
    this.pointer = undefined;
  }

  name(): string {
    return libvirt().virStorageVolGetName(this.ptr) as string;
  }

  private run<T>(name: FunctionName, args: unknown[], failure: 'null' | 'negative'): Promise<T> {
    return this.conn.calls.run<T>(name, [this.ptr, ...args], failure, { volume: this.name() });
  }

  /** The volume's path on the libvirt host (not necessarily this machine). */
  async path(): Promise<string> {
    return this.run<string>('virStorageVolGetPath', [], 'null');
  }

  async xml(): Promise<string> {
    return this.run<string>('virStorageVolGetXMLDesc', [0], 'null');
  }

  async delete(): Promise<void> {
    await this.run('virStorageVolDelete', [0], 'negative');
  }

  /** Copies a local file into the volume through the API (works on remote hosts). Returns bytes sent. */
  async upload(localPath: string): Promise<number> {
    const { size } = await stat(localPath);
    const stream = await Stream.create(this.conn);
    try {
      await this.run('virStorageVolUpload', [stream.ptr, 0, size, 0], 'negative');
      return await sendFile(stream, localPath);
    } finally {
      stream.free();
    }
  }
}
