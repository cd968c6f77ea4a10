import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

const BLOCK = 64 * 1024;
const BATCH = 4 * 1024 * 1024;
const ZEROS = Buffer.alloc(BLOCK);

/**
 * Writes a stream of bytes to a file, leaving holes where whole 64 KiB blocks are zero, and
 * hashes what it writes (sha256 of the file's content, holes included).
 */
export class SparseWriter {
  private readonly hash: Hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private position = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async create(path: string): Promise<SparseWriter> {
    return new SparseWriter(await open(path, 'w'));
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.hash.update(chunk);
    this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.pendingBytes += chunk.byteLength;
    if (this.pendingBytes >= BATCH) await this.flush(false);
  }

  /** Writes all but a trailing partial block (unless final), skipping zero blocks. */
  private async flush(final: boolean): Promise<void> {
    const data = Buffer.concat(this.pending, this.pendingBytes);
    const usable = final ? data.length : data.length - (data.length % BLOCK);
    let start = 0;
    for (let offset = 0; offset < usable; offset += BLOCK) {
      const block = data.subarray(offset, Math.min(offset + BLOCK, usable));
      if (block.length === BLOCK && block.equals(ZEROS)) {
        if (offset > start) await this.handle.write(data, start, offset - start, this.position + start);
        start = offset + BLOCK;
      }
    }
    if (usable > start) await this.handle.write(data, start, usable - start, this.position + start);
    this.position += usable;
    this.pending = usable < data.length ? [data.subarray(usable)] : [];
    this.pendingBytes = data.length - usable;
  }

  /** Flushes, sets the final length (trailing holes included), and returns size and sha256. */
  async finish(): Promise<{ size: number; sha256: string }> {
    await this.flush(true);
    await this.handle.truncate(this.position);
    await this.handle.close();
    return { size: this.position, sha256: this.hash.digest('hex') };
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
