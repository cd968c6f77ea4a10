import { createReadStream } from 'node:fs';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import type { Provider, VmRef } from '../provider/index.js';
import { ConsoleWatch, stagesFor, waitReady, type ReadyTarget, type Stage, type Clock } from '../ready/index.js';
import { sshConnect, type ExecResult, type SshTarget } from '../ssh/index.js';
import { execStreaming, forwardOut, type StreamExecOptions } from './guest-ssh.js';

const SFTP_WAIT_MS = 10_000;

/** How a step reaches one VM: commands over SSH (host key pinned), its console, its provider. */
export interface Guest {
  readonly vm: string;
  readonly provider: Provider;
  readonly ref: VmRef;
  exec(command: string, options: StreamExecOptions): Promise<ExecResult>;
  /** Staged readiness again (login verified), after a reboot, reset or revert. */
  verifyLogin(options: VerifyOptions): Promise<void>;
  /** Copies a local file to the guest: SFTP, else `cat` over an exec channel. */
  copy(from: string, to: string, signal?: AbortSignal): Promise<'sftp' | 'ssh'>;
  /** Opens a TCP connection to a guest port through SSH; the caller closes the client. */
  connectPort(port: number, signal?: AbortSignal): Promise<{ client: Client; channel: ClientChannel }>;
  console(signal: AbortSignal): AsyncIterable<string>;
  /** The serial console's last lines, for failure reports. */
  consoleTail(): string[];
}

export interface VerifyOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Stages before the usual ones (the reboot waiter's boot_id check). */
  first?: Stage[];
  /** Replaces the usual stages (tests). */
  stages?: Stage[];
  clock?: Clock;
  onStage?: (stage: string, note?: string) => void;
}

export interface LabGuestOptions {
  ready: ReadyTarget;
  provider: Provider;
  ref: VmRef;
  /** Login timeout per SSH connection. */
  connectTimeoutMs?: number;
}

/** A VM of a running lab, reached the way `up` verified it. */
export class LabGuest implements Guest {
  readonly vm: string;
  readonly provider: Provider;
  readonly ref: VmRef;
  private readonly watch = new ConsoleWatch(60);
  private watching: Promise<void> | undefined;

  constructor(private readonly options: LabGuestOptions) {
    this.vm = options.ready.vm;
    this.provider = options.provider;
    this.ref = options.ref;
  }

  /** Starts following the console (for failure reports); stop with `close`. */
  watchConsole(): void {
    this.watching ??= this.watch.consume((signal) => this.provider.console(this.ref, signal));
  }

  async close(): Promise<void> {
    this.watch.stop();
    await this.watching;
  }

  consoleTail(): string[] {
    return [...this.watch.tail];
  }

  console(signal: AbortSignal): AsyncIterable<string> {
    return this.provider.console(this.ref, signal);
  }

  private async target(signal?: AbortSignal): Promise<SshTarget> {
    const { host, port } = await this.options.ready.endpoint();
    const { user, privateKey, hostKey } = this.options.ready;
    return { host, port, user, privateKey, hostKey, timeoutMs: this.options.connectTimeoutMs ?? 30_000, signal };
  }

  async exec(command: string, options: StreamExecOptions): Promise<ExecResult> {
    const client = await sshConnect(await this.target(options.signal));
    try {
      return await execStreaming(client, command, options);
    } finally {
      client.destroy();
    }
  }

  async verifyLogin(options: VerifyOptions): Promise<void> {
    await waitReady({
      target: this.options.ready,
      console: (signal) => this.provider.console(this.ref, signal),
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      clock: options.clock,
      stages: options.stages ?? [...(options.first ?? []), ...stagesFor(this.options.ready.firstBoot)],
      onStage: options.onStage,
    });
  }

  async copy(from: string, to: string, signal?: AbortSignal): Promise<'sftp' | 'ssh'> {
    if (await this.sftpPut(from, to, signal)) return 'sftp';
    const client = await sshConnect(await this.target(signal));
    try {
      await catInto(client, from, to, signal);
      return 'ssh';
    } finally {
      client.destroy();
    }
  }

  /** False when the server offers no SFTP (dropbear without sftp-server never answers: hence the timer). */
  private async sftpPut(from: string, to: string, signal?: AbortSignal): Promise<boolean> {
    const client = await sshConnect(await this.target(signal));
    try {
      const sftp = await new Promise<SFTPWrapper | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), SFTP_WAIT_MS);
        client.sftp((error, s) => {
          clearTimeout(timer);
          resolve(error ? undefined : s);
        });
      });
      if (!sftp) return false;
      await new Promise<void>((resolve, reject) => sftp.fastPut(from, to, (error) => (error ? reject(error) : resolve())));
      return true;
    } finally {
      client.destroy();
    }
  }

  async connectPort(port: number, signal?: AbortSignal): Promise<{ client: Client; channel: ClientChannel }> {
    const client = await sshConnect(await this.target(signal));
    try {
      return { client, channel: await forwardOut(client, port) };
    } catch (error) {
      client.destroy();
      throw error;
    }
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Streams a file into `cat > TO` (guests without an SFTP server, such as dropbear alone). */
function catInto(client: Client, from: string, to: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    client.exec(`cat > ${shellQuote(to)}`, (error, channel) => {
      if (error) return reject(error);
      const abort = () => channel.close();
      signal?.addEventListener('abort', abort, { once: true });
      let stderr = '';
      channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      channel.resume(); // drain stdout, or the channel never ends and 'close' never comes
      channel.on('close', (code: number | null) => {
        signal?.removeEventListener('abort', abort);
        if (code === 0) resolve();
        else reject(new Error(`writing ${to} failed (exit ${String(code)}): ${stderr.trim()}`));
      });
      createReadStream(from).on('error', reject).pipe(channel);
    });
  });
}
