import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Follows a growing file (a serial console log) from a byte offset, yielding complete lines as they are written
 * (QEMU appends to it), until the signal aborts.
 */
export async function* followFile(path: string, offset: number, signal: AbortSignal, pollMs = 200): AsyncGenerator<string> {
  let position = offset;
  let pending = '';
  const decoder = new TextDecoder();
  const buffer = Buffer.alloc(64 * 1024);
  while (!signal.aborted) {
    const handle = await open(path, 'r').catch(() => undefined);
    if (handle) {
      try {
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
          if (bytesRead === 0) break;
          position += bytesRead;
          pending += decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) yield line.replace(/\r$/, '');
        }
      } finally {
        await handle.close();
      }
    }
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
}
