import { fork } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtomlabError } from '../errors/index.js';
import { pidAlive, terminate } from '../files/index.js';
import { freePort } from '../net/index.js';
import type { DaemonMessage } from './serve-daemon.js';

const DAEMON = fileURLToPath(new URL('./serve-daemon.js', import.meta.url));
const ATTEMPTS = 5;

/** A running file server, as the lab state records it (plain data). */
export interface ServerProcess {
  /** The directory served (absolute). */
  root: string;
  /** The address it listens on (on this host). */
  host: string;
  port: number;
  pid: number;
  logFile: string;
  startedAt: string;
  /** Responses to matching paths wait this long (a slow mirror). */
  delay?: { match: string; ms: number };
}

export interface StartServerOptions {
  root: string;
  host: string;
  logFile: string;
  /** Insist on this port (a restart keeps URLs already written into seeds); else a free one. */
  port?: number;
  /** Responses to request paths matching `match` wait `ms` first. */
  delay?: { match: string; ms: number };
  /** How long the daemon may take to listen. */
  timeoutMs?: number;
}

class PortTaken extends Error {}

/** Forks the daemon detached and waits for its one message: listening, or why not. */
function launch(options: StartServerOptions, port: number): Promise<ServerProcess> {
  const delay = options.delay ? ['--delay-match', options.delay.match, '--delay-ms', String(options.delay.ms)] : [];
  const args = ['--root', options.root, '--host', options.host, '--port', String(port), '--log', options.logFile, ...delay];
  const child = fork(DAEMON, args, { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new AtomlabError(`the file server for ${options.root} did not start`, { code: 'FAILED', context: { logPath: options.logFile } }));
    }, options.timeoutMs ?? 15_000);
    const settle = (message: DaemonMessage | undefined) => {
      clearTimeout(timer);
      child.removeAllListeners();
      if (message?.listening) {
        child.unref();
        if (child.connected) child.disconnect();
        const started = { root: options.root, host: options.host, port, pid: child.pid!, logFile: options.logFile, startedAt: new Date().toISOString() };
        return resolve(options.delay ? { ...started, delay: options.delay } : started);
      }
      if (message?.error?.code === 'EADDRINUSE') return reject(new PortTaken(`port ${port} is in use`));
      reject(new AtomlabError(`the file server for ${options.root} could not start: ${message?.error?.message ?? 'it exited'}`, { code: 'FAILED', context: { logPath: options.logFile } }));
    };
    child.once('message', (message) => settle(message as DaemonMessage));
    child.once('exit', () => settle(undefined));
    child.once('error', (error) => settle({ error: { message: error.message } }));
  });
}

/**
 * Starts a detached static file server for `root` on `host`. With a port, only that port (else
 * an error saying it is taken); without, a free one, chosen again when another program wins the race.
 */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  await mkdir(dirname(options.logFile), { recursive: true, mode: 0o700 });
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort(options.host));
    try {
      return await launch(options, port);
    } catch (error) {
      if (!(error instanceof PortTaken)) throw error;
      if (options.port !== undefined || attempt >= ATTEMPTS) {
        throw new AtomlabError(`cannot serve ${options.root} on ${options.host}:${port}: ${error.message}`, {
          code: 'FAILED',
          hint: options.port !== undefined ? 'seeds already point at this port: stop the program using it, or run atomlab down and up again' : undefined,
        });
      }
    }
  }
}

/** Alive and not a zombie (a detached daemon's parent may never reap it). */

/** True when the recorded process is alive and is this server (not a recycled pid). */
export async function serverAlive(server: ServerProcess): Promise<boolean> {
  if (!(await pidAlive(server.pid))) return false;
  const cmdline = await readFile(`/proc/${server.pid}/cmdline`, 'utf8').catch(() => undefined);
  if (cmdline === undefined) return true; // no /proc: trust the pid
  const args = cmdline.split('\0');
  return args.some((arg) => arg.endsWith('serve-daemon.js')) && args.includes(String(server.port)) && args.includes(server.root);
}


/** Stops the server (SIGTERM, then SIGKILL); a server already gone is not an error. */
export async function stopServer(server: ServerProcess): Promise<void> {
  if (await serverAlive(server)) await terminate(server.pid);
}

/**
 * Stops every file server logging under `logDir`, recorded or not (one started by an `up` that
 * died before it wrote the state). Returns their pids. Linux only (/proc); elsewhere none.
 */
export async function stopServersLoggingUnder(logDir: string): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  for (const entry of entries.filter((name) => /^\d+$/.test(name))) {
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const log = args[args.indexOf('--log') + 1];
    if (args.some((arg) => arg.endsWith('serve-daemon.js')) && args.includes('--log') && log?.startsWith(`${logDir}/`)) found.push(Number(entry));
  }
  await Promise.all(found.map((pid) => terminate(pid).catch(() => undefined)));
  return found;
}
