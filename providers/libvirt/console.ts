import { appendFile, open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, LibvirtError, type Stream } from './libvirt-client.js';

/** Splits a byte stream into lines (CR and ANSI noise removed), keeping the unfinished tail. */
export class LineSplitter {
  private tail = '';

  push(text: string): string[] {
    const parts = (this.tail + text).split('\n');
    this.tail = parts.pop() ?? '';
    return parts.map(clean);
  }

  flush(): string[] {
    const rest = this.tail;
    this.tail = '';
    return rest ? [clean(rest)] : [];
  }
}

function clean(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1bc/g, '').replace(/\r/g, '');
}

async function readFrom(path: string, offset: number): Promise<Buffer> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return Buffer.alloc(0);
  try {
    const { size } = await file.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * Console lines from the log QEMU writes on this machine, followed from `offset` (where this boot
 * began): unlike the unix socket, which drops output while no client is attached, the log misses
 * nothing.
 */
export async function* logLines(path: string, offset: number, signal: AbortSignal): AsyncGenerator<string> {
  const lines = new LineSplitter();
  let position = offset;
  while (!signal.aborted) {
    const chunk = await readFrom(path, position);
    position += chunk.length;
    if (chunk.length > 0) yield* lines.push(chunk.toString('latin1'));
    else await sleep(100, undefined, { signal }).catch(() => undefined);
  }
  yield* lines.flush();
}

/**
 * Console lines read through the API (virDomainOpenConsole on a pty), for hosts that share no
 * filesystem with this one; each line is also appended to `logPath` here.
 */
export async function* streamLines(options: { uri: string; uuid: string; logPath: string; signal: AbortSignal }): AsyncGenerator<string> {
  const conn = await Connection.open(options.uri);
  try {
    const domain = await conn.lookupDomainByUuid(options.uuid);
    const stream = await domain.openConsole({ force: true }).finally(() => domain.free());
    try {
      yield* pollStream(stream, options);
    } finally {
      await stream.abort();
      stream.free();
    }
  } finally {
    await conn.close();
  }
}

async function* pollStream(stream: Stream, options: { logPath: string; signal: AbortSignal }): AsyncGenerator<string> {
  const lines = new LineSplitter();
  while (!options.signal.aborted) {
    let received;
    try {
      received = stream.receive();
    } catch (error) {
      if (error instanceof LibvirtError) return;
      throw error;
    }
    if (received === 'eof') break;
    if (received === 'empty') {
      await sleep(100, undefined, { signal: options.signal }).catch(() => undefined);
      continue;
    }
    const text = received.toString('latin1');
    await appendFile(options.logPath, text);
    yield* lines.push(text);
  }
  yield* lines.flush();
}
