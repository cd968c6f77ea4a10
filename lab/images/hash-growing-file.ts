import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const CHUNK = 4 * 1024 * 1024;
const SYNC_EVERY = 128 * 1024 * 1024;

export interface GrowingFileOptions {
  /** True once the writer has finished (checked when the reader catches up). */
  writerDone: () => boolean;
  /** Stop early (the writer failed). */
  stopped: () => boolean;
}

/**
 * Hashes a file while another process writes it sequentially: reads behind the writer, and
 * after the writer is done, to the end. Flushes written data to disk every 128 MiB as it goes,
 * so the final fsync is short.
 */
export async function hashGrowingFile(path: string, options: GrowingFileOptions): Promise<{ size: number; sha256: string }> {
  const handle = await open(path, 'r');
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let position = 0;
  let synced = 0;
  let finished = false;
  try {
    for (;;) {
      if (options.stopped()) throw new Error('writer failed');
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead > 0) {
        hash.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
        if (position - synced >= SYNC_EVERY) {
          synced = position;
          await handle.datasync();
        }
      } else if (finished) {
        break;
      } else {
        finished = options.writerDone();
        if (!finished) await sleep(15);
      }
    }
  } finally {
    await handle.close();
  }
  return { size: position, sha256: hash.digest('hex') };
}
