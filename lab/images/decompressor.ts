import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { AtomlabError } from '../errors/index.js';
import { requireTool, which } from '../host/index.js';
import type { Compression } from './compression.js';

const QUEUE_BYTES = 4 * 1024 * 1024;

export interface DecompressorCommand {
  file: string;
  args: string[];
  /** The program leaves holes for zero blocks when writing a file itself. */
  writesSparse: boolean;
}

/** The fastest system program for each compression (every core for multi-block xz). */
export async function decompressorFor(kind: Exclude<Compression, 'none'>): Promise<DecompressorCommand> {
  switch (kind) {
    case 'xz':
      return { file: await requireTool('xz'), args: ['-T0', '-dc'], writesSparse: true };
    case 'zstd':
      return { file: await requireTool('zstd'), args: ['-dcq', '--sparse'], writesSparse: true };
    case 'bzip2':
      return { file: await requireTool('bzip2'), args: ['-dc'], writesSparse: false };
    case 'gzip': {
      const pigz = await which('pigz');
      return { file: pigz ?? (await requireTool('gzip')), args: ['-dc'], writesSparse: false };
    }
  }
}

/** A running decompressor: bytes in on stdin, out to a file descriptor or a pipe. */
export class Decompressor {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private stderr = '';
  private failure: AtomlabError | undefined;

  constructor(command: DecompressorCommand, output: number | 'pipe') {
    this.child = spawn(command.file, command.args, { stdio: ['pipe', output, 'pipe'] });
    this.child.stdin!.on('error', () => undefined); // EPIPE after an early exit: reported by exited
    this.child.stderr!.on('data', (data: Buffer) => {
      this.stderr = (this.stderr + data.toString()).slice(-2000);
    });
    this.exited = this.watchExit(command.file);
    this.exited.catch(() => undefined); // observed by write() and end()
  }

  get stdout() {
    return this.child.stdout;
  }

  private async watchExit(file: string): Promise<void> {
    const [code, signal] = (await once(this.child, 'close')) as [number | null, string | null];
    if (code === 0) return;
    const tail = this.stderr.trim();
    this.failure = new AtomlabError(`${file} could not decompress the image: ${tail || `exit ${code ?? signal}`}`, {
      code: 'FAILED',
      hint: 'the download is damaged or truncated; pull it again (the cache keeps nothing from it)',
      context: { command: file, exitCode: code ?? undefined, stderrTail: tail },
    });
    throw this.failure;
  }

  /** True once the program has exited (successfully or not). */
  get done(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Queues the chunk; waits only once more than 4 MiB wait for the program (it never starves). */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    const stdin = this.child.stdin!;
    if (stdin.write(chunk) || stdin.writableLength < QUEUE_BYTES) return;
    await Promise.race([once(stdin, 'drain'), this.exited.then(() => { throw new Error('decompressor exited early'); })]);
  }

  /** Ends the input and waits for a clean exit. */
  async end(): Promise<void> {
    this.child.stdin!.end();
    await this.exited;
  }

  async abort(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited.catch(() => undefined);
  }
}
