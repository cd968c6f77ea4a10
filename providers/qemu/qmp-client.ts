import { connect, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';

/** An error QEMU returned for a QMP command. */
export class QmpError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    description: string,
  ) {
    super(`QMP ${command}: ${errorClass}: ${description}`);
    this.name = 'QmpError';
  }
}

interface Pending {
  command: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * A thin QMP client over QEMU's unix socket: capabilities negotiation, commands with ids, and
 * asynchronous events. No lab logic here.
 */
export class QmpClient extends EventEmitter {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();

  private constructor(private readonly socket: Socket) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('close', () => this.failAll(new Error('QMP connection closed')));
    socket.on('error', (error) => this.failAll(error));
  }

  /** Connects and negotiates capabilities. */
  static async connect(path: string, timeoutMs = 5000): Promise<QmpClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`QMP socket ${path}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const client = new QmpClient(socket);
    await client.greeting(timeoutMs);
    await client.execute('qmp_capabilities');
    return client;
  }

  private greeting(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('QMP greeting did not arrive')), timeoutMs);
      this.once('greeting', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject });
      this.socket.write(`${JSON.stringify({ execute: command, arguments: args, id })}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line) this.dispatch(JSON.parse(line) as Record<string, unknown>);
    }
  }

  private dispatch(message: Record<string, unknown>): void {
    if ('QMP' in message) {
      this.emit('greeting', message.QMP);
    } else if ('event' in message) {
      this.emit('event', message);
    } else if (typeof message.id === 'string') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      const error = message.error as { class: string; desc: string } | undefined;
      if (error) pending.reject(new QmpError(pending.command, error.class, error.desc));
      else pending.resolve(message.return);
    }
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.emit('closed');
  }
}

/** Runs one command on a fresh connection and closes it. */
export async function qmpOnce<T = unknown>(path: string, command: string, args?: Record<string, unknown>): Promise<T> {
  const client = await QmpClient.connect(path);
  try {
    return await client.execute<T>(command, args);
  } finally {
    client.close();
  }
}
