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

/** Why the connection under a running command went away: a keepalive timeout says the guest stopped answering. */
function lostConnection(command: string, error: Error | undefined): SshError {
  const quiet = error !== undefined && /keepalive/i.test(error.message);
  const why = quiet ? 'the guest stopped answering SSH (no reply to keepalives)' : `the SSH connection was lost${error ? ` (${error.message})` : ''}`;
  return new SshError(quiet ? 'timeout' : 'unreachable', `${command}: ${why} while the command ran`, error, 'is the VM still running? atomlab status shows its state; the console lines show what it printed last');
}

function settle(client: Client, channel: ClientChannel, options: StreamExecOptions, command: string, resolve: (r: ExecResult) => void, reject: (e: Error) => void): void {
  let stdout = '';
  let stderr = '';
  let clientError: Error | undefined;
  const onError = (error: Error) => (clientError ??= error);
  const onLost = () => stop(lostConnection(command, clientError));
  const stop = (error: Error) => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    client.removeListener('close', onLost);
    client.removeListener('error', onError);
    channel.close();
    reject(error);
  };
  // the connection dropping (the VM killed) or going quiet (its network cut) ends the command's wait
  client.on('error', onError);
  client.once('close', onLost);
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
    client.removeListener('close', onLost);
    client.removeListener('error', onError);
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
      settle(client, channel, options, command, resolve, reject);
    });
  });
}

/** A TCP connection from the guest's own loopback to one of its ports, through SSH. */
export function forwardOut(client: Client, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, '127.0.0.1', port, (error, channel) => (error ? reject(error) : resolve(channel)));
  });
}
