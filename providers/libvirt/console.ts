import { appendFile, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
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

async function waitForSocket(path: string, signal: AbortSignal): Promise<Socket | undefined> {
  while (!signal.aborted) {
    const exists = await stat(path).then((info) => info.isSocket(), () => false);
    if (exists) {
      const socket = await new Promise<Socket | undefined>((resolve) => {
        const candidate = connect(path);
        candidate.once('connect', () => resolve(candidate));
        candidate.once('error', () => resolve(undefined));
      });
      if (socket) return socket;
    }
    await sleep(200, undefined, { signal }).catch(() => undefined);
  }
  return undefined;
}

/** Console lines from QEMU's unix socket on this machine (QEMU also logs them to its log file). */
export async function* socketLines(path: string, signal: AbortSignal): AsyncGenerator<string> {
  const socket = await waitForSocket(path, signal);
  if (!socket) return;
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  const lines = new LineSplitter();
  try {
    for await (const chunk of socket) yield* lines.push((chunk as Buffer).toString('latin1'));
    yield* lines.flush();
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    socket.destroy();
  }
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
