import { open } from 'node:fs/promises';
import { libvirt } from './library.js';
import { LibvirtError, readError, unknownError } from './errors.js';
import type { Connection } from './connection.js';

const CHUNK = 256 * 1024;

/** A libvirt data stream (volume upload, console). */
export class Stream {
  private pointer: bigint | undefined;

  private constructor(readonly conn: Connection, pointer: bigint) {
    this.pointer = pointer;
  }

  static async create(conn: Connection, options: { nonBlocking?: boolean } = {}): Promise<Stream> {
    return new Stream(conn, await conn.calls.run<bigint>('virStreamNew', [conn.ptr, options.nonBlocking ? 1 : 0], 'null'));
  }

  get ptr(): bigint {
    if (this.pointer === undefined) throw new Error('stream already freed');
    return this.pointer;
  }

  free(): void {
    if (this.pointer !== undefined) libvirt().virStreamFree(this.pointer);
    this.pointer = undefined;
  }

  /** Sends all of `data` (blocking streams). */
  async send(data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      const chunk = data.subarray(offset);
      offset += await this.conn.calls.run<number>('virStreamSend', [this.ptr, chunk, chunk.length], 'negative');
    }
  }

  /**
   * Non-blocking read of what has arrived: bytes, `'empty'` when nothing is waiting, or `'eof'`.
   * Local (the event loop thread fills the stream's buffer), so it is a synchronous call.
   */
  receive(max = 64 * 1024): Buffer | 'empty' | 'eof' {
    const buffer = Buffer.alloc(max);
    const lib = libvirt();
    lib.virConnResetLastError(this.conn.ptr);
    const count = lib.virStreamRecv(this.ptr, buffer, max) as number;
    if (count === -2) return 'empty';
    if (count === 0) return 'eof';
    if (count > 0) return buffer.subarray(0, count);
    throw new LibvirtError('virStreamRecv', readError(lib.virConnGetLastError(this.conn.ptr)) ?? unknownError('virStreamRecv'));
  }

  async finish(): Promise<void> {
    await this.conn.calls.run('virStreamFinish', [this.ptr], 'negative');
  }

  async abort(): Promise<void> {
    await this.conn.calls.run('virStreamAbort', [this.ptr], 'negative').catch(() => undefined);
  }
}

/** Streams a local file's bytes into a stream already attached to an upload, then finishes it. */
export async function sendFile(stream: Stream, path: string): Promise<number> {
  const file = await open(path, 'r');
  let total = 0;
  try {
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      await stream.send(buffer.subarray(0, bytesRead));
      total += bytesRead;
    }
    await stream.finish();
    return total;
  } catch (error) {
    await stream.abort();
    throw error;
  } finally {
    await file.close();
  }
}
