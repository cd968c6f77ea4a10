import { execFile } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a lab (or a private image cache) left on the machine, each found from outside atomlab. */
export interface Traces {
  processes: string[];
  domains: string[];
  volumes: string[];
  listeners: string[];
  files: string[];
}

export const noTraces = (t: Traces) => Object.values(t).every((list: string[]) => list.length === 0);

/** `pid args` of every process whose command line names the marker (the lab or its directory). */
export async function processesNaming(markers: string[]): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,args='], { maxBuffer: 1 << 24 });
  return stdout.split('\n').map((line) => line.trim()).filter((line) => markers.some((m) => line.includes(m)) && !/^\d+ ps -eo/.test(line));
}

async function virsh(uri: string, args: string[]): Promise<string[]> {
  const { stdout } = await run('virsh', ['-c', uri, ...args]);
  return stdout.split('\n').map((line) => line.trim()).filter(Boolean);
}

/** libvirt domains (any state) and volumes (any pool) whose names carry the lab's name. */
export async function libvirtNaming(uri: string | undefined, lab: string): Promise<{ domains: string[]; volumes: string[] }> {
  if (!uri) return { domains: [], volumes: [] };
  const domains = await runningDomains(uri, lab, ['--all']);
  const volumes: string[] = [];
  for (const pool of await virsh(uri, ['pool-list', '--all', '--name'])) {
    const lines = await virsh(uri, ['vol-list', pool]).catch(() => []);
    volumes.push(...lines.filter((line) => line.includes(lab)).map((line) => `${pool}: ${line}`));
  }
  return { domains, volumes };
}

/** Domains whose names carry the lab's name: running ones, or all with `--all`. */
export async function runningDomains(uri: string | undefined, lab: string, flags: string[] = []): Promise<string[]> {
  if (!uri) return [];
  return (await virsh(uri, ['list', ...flags, '--name'])).filter((name) => name.includes(lab));
}

/** Socket inodes listening on TCP (v4 and v6), by port. */
async function listeningInodes(): Promise<Map<number, string>> {
  const byPort = new Map<number, string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const fields of lines.map((line) => line.trim().split(/\s+/))) {
      if (fields[3] !== '0A') continue; // LISTEN
      byPort.set(Number.parseInt(fields[1]!.split(':').pop()!, 16), fields[9]!);
    }
  }
  return byPort;
}

/** The command line of the process holding a socket inode, if any is found. */
async function socketOwner(inode: string): Promise<string | undefined> {
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) !== `socket:[${inode}]`) continue;
      return `${pid} ${(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ').trim()}`;
    }
  }
  return undefined;
}

/**
 * Ports the lab used that still have a listener of the lab's (or of nobody this can see). A
 * listener of another program that took the freed port since is not the lab's.
 */
export async function listenersOn(ports: Iterable<number>, markers: string[]): Promise<string[]> {
  const listening = await listeningInodes();
  const found: string[] = [];
  for (const port of new Set(ports)) {
    const inode = listening.get(port);
    if (inode === undefined) continue;
    const owner = await socketOwner(inode);
    if (owner === undefined || markers.some((m) => owner.includes(m))) found.push(`127.0.0.1:${port} ← ${owner ?? 'unknown process'}`);
  }
  return found;
}

/** Every file under a directory, relative, but those named in `allowed` at its top. */
export async function filesUnder(dir: string, allowed: string[] = []): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .filter((path) => !allowed.includes(path));
}

/** Port numbers written in the lab's files (state, servers) and its status report. */
export async function portsIn(dir: string, statusJson: string): Promise<number[]> {
  const ports: number[] = [];
  const texts = [statusJson];
  for (const path of await filesUnder(join(dir, '.atomlab'))) {
    if (path.endsWith('.json')) texts.push(await readFile(join(dir, '.atomlab', path), 'utf8').catch(() => ''));
  }
  for (const text of texts) for (const match of text.matchAll(/"(?:port|hostPort|host)"\s*:\s*(\d{2,5})\b/g)) ports.push(Number(match[1]));
  for (const text of texts) for (const match of text.matchAll(/127\.0\.0\.1:(\d{2,5})\b/g)) ports.push(Number(match[1]));
  return ports.filter((port) => port > 0 && port < 65536);
}
