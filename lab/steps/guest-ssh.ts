import type { Client, ClientChannel } from 'ssh2';
import { SshError, type ExecResult } from '../ssh/index.js';

export interface StreamExecOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Each chunk of stdout or stderr as it arrives. */
  onOutput?: (text: string) => void;
  /** Written to the command's stdin, which is then closed. */
  input?: Buffer;
}

function settle(channel: ClientChannel, options: StreamExecOptions, command: string, resolve: (r: ExecResult) => void, reject: (e: Error) => void): void {
  let stdout = '';
  let stderr = '';
  const stop = (error: Error) => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    channel.close();
    reject(error);
  };
  const onAbort = () => stop(new SshError('timeout', `${command}: aborted`));
  const timer = setTimeout(() => stop(new SshError('timeout', `${command}: no exit after ${options.timeoutMs} ms`)), options.timeoutMs);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  channel.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    options.onOutput?.(chunk.toString('utf8'));
  });
  channel.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    options.onOutput?.(chunk.toString('utf8'));
  });
  channel.on('close', (code: number | null, signal?: string) => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    resolve({ code: code ?? null, signal, stdout, stderr });
  });
  if (options.input) channel.end(options.input);
  else channel.end();
}

/** Runs a command on a connection, streaming its output; a timeout or abort closes the channel. */
export function execStreaming(client: Client, command: string, options: StreamExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new SshError('timeout', `${command}: aborted`));
    client.exec(command, (error, channel) => {
      if (error) return reject(new SshError('unreachable', `cannot run ${command}: ${error.message}`, error));
      settle(channel, options, command, resolve, reject);
    });
  });
}

/** A TCP connection from the guest's own loopback to one of its ports, through SSH. */
export function forwardOut(client: Client, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, '127.0.0.1', port, (error, channel) => (error ? reject(error) : resolve(channel)));
  });
}
