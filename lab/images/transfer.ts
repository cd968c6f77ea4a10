import { createHash, type Hash } from 'node:crypto';
import type { ImageDigest } from './image-source.js';
import { ImageSink, type SinkResult } from './image-sink.js';
import type { ByteConsumer } from './http-download.js';

/**
 * One pass over the published bytes: hashed with the algorithm the expected digest uses (none
 * when nothing is to be verified: nothing reads that digest) and streamed into the
 * decompressing image sink.
 */
export class Transfer implements ByteConsumer {
  private readonly hashes: Map<ImageDigest['algorithm'], Hash> = new Map();
  private readonly sink: ImageSink;

  constructor(outputPath: string, algorithms: Array<ImageDigest['algorithm']>) {
    for (const algorithm of new Set(algorithms)) this.hashes.set(algorithm, createHash(algorithm));
    this.sink = new ImageSink(outputPath);
  }

  async write(chunk: Uint8Array): Promise<void> {
    for (const hash of this.hashes.values()) hash.update(chunk);
    await this.sink.write(chunk);
  }

  /** Waits for the decompressor; returns the image written and the published file's digests. */
  async finish(): Promise<{ image: SinkResult; published: Record<string, string> }> {
    const image = await this.sink.finish();
    const published = Object.fromEntries([...this.hashes].map(([name, hash]) => [name, hash.digest('hex')]));
    return { image, published };
  }

  abort(): Promise<void> {
    return this.sink.abort();
  }
}
