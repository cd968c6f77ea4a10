import { open } from 'node:fs/promises';
import { detectCompression, MAGIC_LENGTH, type Compression } from './compression.js';
import { Decompressor, decompressorFor } from './decompressor.js';
import { hashGrowingFile } from './hash-growing-file.js';
import { SparseWriter } from './sparse-writer.js';

export interface SinkResult {
  compression: Compression;
  /** Size and sha256 of the decompressed image written to the output file. */
  size: number;
  sha256: string;
}

interface Backend {
  write(chunk: Uint8Array): Promise<void>;
  finish(): Promise<{ size: number; sha256: string }>;
  abort(): Promise<void>;
}

/** The decompressor writes the file itself (sparse); Node hashes behind it. */
async function fileBackend(decompressor: Decompressor, outputPath: string): Promise<Backend> {
  const hashing = hashGrowingFile(outputPath, {
    writerDone: () => decompressor.done,
    stopped: () => decompressor.failed,
  });
  hashing.catch(() => undefined);
  return {
    write: (chunk) => decompressor.write(chunk),
    finish: async () => {
      await decompressor.end();
      return hashing;
    },
    abort: () => decompressor.abort(),
  };
}

/** The decompressor writes to a pipe; Node writes the file sparse and hashes it. */
async function pipeBackend(decompressor: Decompressor, outputPath: string): Promise<Backend> {
  const writer = await SparseWriter.create(outputPath);
  const draining = (async () => {
    for await (const chunk of decompressor.stdout!) await writer.write(chunk as Buffer);
  })();
  draining.catch(() => undefined);
  return {
    write: (chunk) => decompressor.write(chunk),
    finish: async () => {
      await Promise.all([decompressor.end(), draining]);
      return writer.finish();
    },
    abort: async () => {
      await decompressor.abort();
      await writer.abort();
    },
  };
}

async function startBackend(kind: Compression, outputPath: string): Promise<Backend> {
  if (kind === 'none') return SparseWriter.create(outputPath);
  const command = await decompressorFor(kind);
  if (!command.writesSparse) return pipeBackend(new Decompressor(command, 'pipe'), outputPath);
  const output = await open(outputPath, 'w');
  try {
    return await fileBackend(new Decompressor(command, output.fd), outputPath);
  } finally {
    await output.close();
  }
}

/**
 * Where a published file's bytes go: its compression is recognized from the first bytes, then
 * they stream through the system decompressor into `outputPath` (sparse), hashed on the way.
 */
export class ImageSink {
  private head: Buffer[] = [];
  private headBytes = 0;
  private backend: Backend | undefined;
  private compression: Compression = 'none';

  constructor(private readonly outputPath: string) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.backend) return this.backend.write(chunk);
    this.head.push(Buffer.from(chunk));
    this.headBytes += chunk.byteLength;
    if (this.headBytes >= MAGIC_LENGTH) await this.start();
  }

  private async start(): Promise<Backend> {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.compression = detectCompression(head);
    this.backend = await startBackend(this.compression, this.outputPath);
    if (head.length > 0) await this.backend.write(head);
    return this.backend;
  }

  async finish(): Promise<SinkResult> {
    const backend = this.backend ?? (await this.start());
    const result = await backend.finish();
    return { compression: this.compression, ...result };
  }

  async abort(): Promise<void> {
    await this.backend?.abort();
  }
}
