import { Client, type ConnectConfig } from 'ssh2';
import { AtomlabError } from '../errors/index.js';
import { fingerprint, parsePublicKey } from './public-key.js';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** OpenSSH private key text; or a password. */
  privateKey?: string;
  password?: string;
  /** The host's public key line, pinned: any other key is refused. */
  hostKey: string;
  /** Connect + handshake + authentication. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A connection whose peer stops answering keepalives (probes every this many ms, 3 missed) ends with an error (default 20 s). */
  keepaliveMs?: number;
}

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

/** Why a login failed, for callers that branch on it. */
export type SshFailure = 'refused' | 'host-key-mismatch' | 'unreachable' | 'timeout';

export class SshError extends AtomlabError {
  constructor(
    readonly failure: SshFailure,
    message: string,
    cause?: unknown,
    hint?: string,
  ) {
    super(message, { code: 'FAILED', cause, hint });
    this.name = 'SshError';
  }
}

const MISSED_KEEPALIVES = 3;

/**
 * The refusal of a host key that is not the pinned one: what was expected, what was offered,
 * and what to do. Never a prompt: nothing else about the peer can be trusted.
 */
export function hostKeyMismatch(at: { host: string; port: number }, expected: string, offered: string, cause?: unknown): SshError {
  const where = `${at.host}:${at.port}`;
  return new SshError(
    'host-key-mismatch',
    `host key mismatch at ${where}: expected ${expected} (the key atomlab gave the VM), offered ${offered}`,
    cause,
    `another machine or program answers at ${where} (was the VM stopped or killed, and its port taken?): do not log in; see what listens there with: ss -ltnp 'sport = :${at.port}', stop it, then run atomlab up (or atomlab down, then up, to make the VM anew)`,
  );
}

function classify(error: Error & { level?: string }, mismatch: SshError | undefined): SshError {
  if (mismatch) return mismatch;
  if (error.level === 'client-authentication') return new SshError('refused', `login refused: ${error.message}`, error);
  if (/keepalive timeout/i.test(error.message)) return new SshError('timeout', 'the guest stopped answering SSH (no reply to keepalives)', error);
  if (/timed out/i.test(error.message)) return new SshError('timeout', `SSH timed out: ${error.message}`, error);
  return new SshError('unreachable', `SSH failed: ${error.message}`, error);
}

/** A logged-in SSH connection whose host key matched the pinned one. */
export function sshConnect(target: SshTarget): Promise<Client> {
  const pinned = parsePublicKey(target.hostKey);
  const readyTimeout = target.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let mismatch: SshError | undefined;
    let settled = false;
    // every way out settles once and lets go of the abort listener and the deadline
    const settle = (error?: SshError) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      target.signal?.removeEventListener('abort', onAbort);
      if (!error) return resolve(client);
      client.destroy();
      reject(error);
    };
    const onAbort = () => settle(new SshError('timeout', 'SSH login aborted'));
    // ssh2's readyTimeout does not cover every stall (seen here: a guest's sshd going quiet
    // after its banner under load): a deadline of our own, a little later, always ends the wait
    const deadline = setTimeout(() => settle(new SshError('timeout', `SSH login timed out after ${readyTimeout} ms`)), readyTimeout + 5_000);
    target.signal?.addEventListener('abort', onAbort, { once: true });
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      privateKey: target.privateKey,
      password: target.password,
      readyTimeout,
      keepaliveInterval: target.keepaliveMs ?? 20_000,
      keepaliveCountMax: MISSED_KEEPALIVES,
      tryKeyboard: false,
      hostVerifier: (key: Buffer) => {
        if (key.equals(pinned.blob)) return true;
        mismatch = hostKeyMismatch(target, fingerprint(pinned.blob), fingerprint(key));
        return false;
      },
    };
    client.once('ready', () => settle());
    // ssh2 may emit 'error' more than once (a handshake failure, then the lost connection):
    // keep listening, or a second one is an unhandled error that ends the process
    client.on('error', (error) => settle(classify(error, mismatch)));
    // a connection closed before login without an error would otherwise leave the wait hanging
    client.once('close', () => settle(mismatch ?? new SshError('unreachable', 'SSH connection closed before login')));
    client.connect(config);
  });
}

/** Runs a command on a connection and collects its output. */
export function execOn(client: Client, command: string, timeoutMs = 120_000): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(new SshError('unreachable', `cannot run ${command}: ${error.message}`, error));
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => {
        channel.close();
        reject(new SshError('timeout', `${command}: no exit after ${timeoutMs} ms`));
      }, timeoutMs);
      channel.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      // the connection dropping under a running command ends it too
      const onLost = () => {
        clearTimeout(timer);
        reject(new SshError('unreachable', `${command}: the SSH connection closed`));
      };
      client.once('close', onLost);
      channel.on('close', (code: number | null, signal?: string) => {
        clearTimeout(timer);
        client.removeListener('close', onLost);
        resolve({ code, signal, stdout, stderr });
      });
    });
  });
}

/** Logs in, runs one command, logs out. */
export async function sshExec(target: SshTarget, command: string, timeoutMs?: number): Promise<ExecResult> {
  const client = await sshConnect(target);
  try {
    return await execOn(client, command, timeoutMs);
  } finally {
    client.end();
  }
}

/**
 * Before a stopped VM is started again: whatever answers at its last SSH address must hold
 * its pinned host key. A program that took the port of a killed VM is refused with the
 * mismatch (expected and offered fingerprints); nothing answering, or the VM itself, is fine.
 */
export async function refuseImpostor(target: SshTarget): Promise<void> {
  try {
    const client = await sshConnect({ ...target, timeoutMs: target.timeoutMs ?? 10_000 });
    client.end();
  } catch (error) {
    if (error instanceof SshError && error.failure === 'host-key-mismatch') throw error;
  }
}
