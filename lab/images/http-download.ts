import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../errors/index.js';
import type { HttpResponse } from './http-get.js';
import { networkError, openRequest, RetryableError, type OpenResponse } from './http-request.js';
import type { PartialDownload } from './partial-download.js';
import type { ProgressMeter } from './progress-meter.js';

/** Where downloaded bytes go (hashing and decompression); a fresh one per restart. */
export interface ByteConsumer {
  write(chunk: Uint8Array): Promise<void>;
  abort(): Promise<void>;
}

export interface HttpDownloadOptions {
  partial: PartialDownload;
  newConsumer: () => ByteConsumer;
  progress: ProgressMeter;
  idleTimeoutMs: number;
  retries: number;
  retryDelayMs: number;
  signal?: AbortSignal;
}

function validatorOf(response: HttpResponse): string | undefined {
  const etag = response.headers.get('etag');
  if (etag && !etag.startsWith('W/')) return etag;
  return response.headers.get('last-modified') ?? undefined;
}

function rangeOf(response: HttpResponse): { start: number; total?: number } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) };
}

function lengthOf(response: HttpResponse): number | undefined {
  const length = response.headers.get('content-length');
  return length === null ? undefined : Number(length);
}

/**
 * Downloads `url` into a consumer, keeping the bytes in a partial file: connection errors, idle
 * stalls and 5xx are retried with exponential backoff, continuing with Range + If-Range where
 * the server allows (a server that ignores Range, or whose file changed, restarts cleanly).
 */
export class HttpDownload {
  private consumer: ByteConsumer | undefined;

  constructor(private readonly url: string, private readonly options: HttpDownloadOptions) {}

  /** Runs to the end of the file; returns the consumer that received every byte in order. */
  async run(): Promise<ByteConsumer> {
    const { partial } = this.options;
    await partial.load(this.url);
    for (let failures = 0; ; ) {
      const before = partial.size;
      try {
        await this.attempt();
        return this.consumer!;
      } catch (error) {
        if (partial.size > before) failures = 0;
        if (!(error instanceof RetryableError) || failures >= this.options.retries) throw this.final(error);
        failures += 1;
        await sleep(this.options.retryDelayMs * 2 ** (failures - 1), undefined, { signal: this.options.signal }).catch(() => {
          throw networkError(this.url, error, this.options.signal);
        });
      }
    }
  }

  /** Aborts the consumer (the caller discards its output); the partial file stays for a resume. */
  async abort(): Promise<void> {
    await this.consumer?.abort();
    await this.options.partial.close();
  }

  private final(error: unknown): unknown {
    if (!(error instanceof RetryableError)) return error;
    return new AtomlabError(`download failed after ${this.options.retries + 1} attempts: ${error.message}`, {
      code: 'FAILED',
      hint: 'check the network and the server; the bytes received so far are kept and a new pull continues from them',
      context: error.context,
      cause: error,
    });
  }

  private async attempt(): Promise<void> {
    const { partial, idleTimeoutMs, signal } = this.options;
    const offset = partial.validator ? partial.size : 0;
    const open = await openRequest(this.url, { offset, validator: partial.validator, idleTimeoutMs, signal });
    try {
      await this.prepare(open.response, offset);
      await this.pump(open);
    } finally {
      open.close();
    }
  }

  /** Continues (206 at our offset) or starts over (anything else) with a fresh consumer. */
  private async prepare(response: HttpResponse, offset: number): Promise<void> {
    const { partial, progress } = this.options;
    const range = response.status === 206 ? rangeOf(response) : undefined;
    if (offset > 0 && range?.start === offset) {
      progress.restart(offset, range.total, true);
      if (!this.consumer) await this.replay();
      return;
    }
    if (response.status === 206) throw new RetryableError(`${this.url}: unexpected Content-Range`, { code: 'FAILED' });
    await this.consumer?.abort();
    await partial.reset(this.url, validatorOf(response));
    this.consumer = this.options.newConsumer();
    progress.restart(0, lengthOf(response), false);
  }

  /** A new process continuing an old partial file: feed the stored bytes first. */
  private async replay(): Promise<void> {
    this.consumer = this.options.newConsumer();
    for await (const chunk of this.options.partial.replay()) await this.consumer.write(chunk);
  }

  private async pump(open: OpenResponse): Promise<void> {
    const { progress, signal } = this.options;
    const body = open.response.body;
    const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const batch = new ChunkBatch((bytes) => this.deliver(bytes));
    for (;;) {
      let result: IteratorResult<Buffer>;
      try {
        result = await chunks.next();
      } catch (cause) {
        await batch.flush(); // what arrived is kept, so a retry continues after it
        throw networkError(this.url, cause, signal);
      }
      if (result.done) break;
      open.touch();
      await batch.add(result.value);
      progress.add(result.value.byteLength);
    }
    await batch.flush();
    if (!body.complete) throw networkError(this.url, new Error('connection closed before the end of the file'), signal);
    progress.flush();
  }

  /** The same bytes to the partial file and the consumer, so both always hold the same prefix. */
  private async deliver(bytes: Buffer): Promise<void> {
    await Promise.all([this.options.partial.append(bytes), this.consumer!.write(bytes)]);
  }
}

const BATCH_BYTES = 1024 * 1024;

/**
 * Gathers the socket's 64 KiB reads into 1 MiB writes: one write per MiB to the partial file
 * and the decompressor's pipe instead of sixteen (measured: about a third less CPU in Node).
 */
class ChunkBatch {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly write: (bytes: Buffer) => Promise<void>) {}

  async add(chunk: Buffer): Promise<void> {
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
    if (this.bytes >= BATCH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.bytes === 0) return;
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    await this.write(bytes);
  }
}
