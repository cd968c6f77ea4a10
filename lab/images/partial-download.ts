import { createReadStream } from 'node:fs';
import { open, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { writeFileAtomic } from '../files/index.js';

interface PartialMeta {
  url: string;
  /** Strong ETag or Last-Modified of the response the bytes came from (for If-Range). */
  validator: string;
}

/**
 * The published file's bytes received so far, kept so that a later pull (after a crash, Ctrl-C
 * or SIGKILL) continues with a Range request instead of starting over.
 */
export class PartialDownload {
  private handle: FileHandle | undefined;
  size = 0;
  validator: string | undefined;

  constructor(readonly path: string) {}

  private get metaPath(): string {
    return `${this.path}.json`;
  }

  /** Picks up earlier bytes from the same URL with a validator, else starts empty. */
  async load(url: string): Promise<void> {
    const meta = await readFile(this.metaPath, 'utf8').then((text) => JSON.parse(text) as PartialMeta, () => undefined);
    const info = await stat(this.path).catch(() => undefined);
    if (meta?.url === url && meta.validator && info) {
      this.size = info.size;
      this.validator = meta.validator;
    } else {
      await this.reset(url, undefined);
    }
  }

  /**
   * Starts over: empty file, new validator. Without a validator no later request can continue
   * (If-Range needs one), so the bytes are only counted, not kept: no second copy for nothing.
   */
  async reset(url: string, validator: string | undefined): Promise<void> {
    await this.close();
    await rm(this.metaPath, { force: true });
    this.size = 0;
    this.validator = validator;
    if (!validator) return rm(this.path, { force: true });
    this.handle = await open(this.path, 'w');
    await writeFileAtomic(this.metaPath, JSON.stringify({ url, validator } satisfies PartialMeta));
  }

  async append(chunk: Uint8Array): Promise<void> {
    if (this.validator) {
      this.handle ??= await open(this.path, 'a');
      await this.handle.write(chunk);
    }
    this.size += chunk.byteLength;
  }

  /** The bytes stored so far, for feeding a fresh pipeline before continuing. */
  replay(): AsyncIterable<Buffer> {
    return createReadStream(this.path, { start: 0, end: this.size - 1, highWaterMark: 1024 * 1024 });
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  async remove(): Promise<void> {
    await this.close();
    await rm(this.metaPath, { force: true });
    await rm(this.path, { force: true });
  }
}
