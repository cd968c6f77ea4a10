import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../lab/net/index.js';

const run = promisify(execFile);

export interface GuestOptions {
  base: string;
  seed: string;
  dir: string;
  memoryMiB?: number;
}

/** A guest under qemu-system-x86_64 (TCG) on a copy-on-write overlay, SSH forwarded to a free port. */
export class QemuGuest implements AsyncDisposable {
  console = '';
  private exited = false;

  private constructor(
    readonly sshPort: number,
    private readonly child: ChildProcess,
  ) {
    child.once('exit', () => (this.exited = true));
  }

  static async start(options: GuestOptions): Promise<QemuGuest> {
    const disk = join(options.dir, 'disk.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', options.base, '-F', 'qcow2', disk]);
    const port = await freePort();
    const child = spawn('qemu-system-x86_64', [
      '-accel', 'tcg', '-m', String(options.memoryMiB ?? 512), '-smp', '1', '-display', 'none',
      '-drive', `file=${disk},if=virtio`, '-drive', `file=${options.seed},media=cdrom,readonly=on`,
      '-nic', `user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:${port}-:22`,
      '-serial', 'stdio', '-monitor', 'none',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const guest = new QemuGuest(port, child);
    const log = createWriteStream(join(options.dir, 'console.log'));
    child.stdout?.on('data', (chunk: Buffer) => {
      guest.console += chunk.toString('utf8');
      log.write(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
    return guest;
  }

  /** Waits until the console shows `pattern` (searching from `from`), or fails after timeoutMs. */
  async waitForConsole(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.console.slice(from).match(pattern);
      if (match) return match;
      if (this.exited) throw new Error(`QEMU exited before the console showed ${pattern}`);
      if (Date.now() > deadline) throw new Error(`console did not show ${pattern} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Kills QEMU (tests never leave one behind). */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await gone;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
