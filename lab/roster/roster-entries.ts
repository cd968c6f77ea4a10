import { AtomlabError } from '../errors/index.js';
import { readSecrets } from '../engine/index.js';
import { labPaths, labStateDir, readState, type VmRecord } from '../state/index.js';

/** One student's line: where their VM answers and how to log in. */
export interface RosterEntry {
  vm: string;
  /** The address SSH answers on: a forwarded port on the host, or the VM's own IP. */
  address: string;
  port: number;
  user: string;
  /** Absent: key login only. */
  password?: string;
  ssh: string;
  /** The libvirt host, when the lab spans several. */
  host?: string;
  verified: boolean;
  /** The address the forwarded SSH port is bound to, when known (127.0.0.1: this machine only). */
  listen?: string;
}

export interface Roster {
  lab: string;
  entries: RosterEntry[];
  /** VMs the lab has that never reached a verified login: no card for them. */
  missing?: string[];
}

export function sshCommand(user: string, address: string, port: number): string {
  return port === 22 ? `ssh ${user}@${address}` : `ssh -p ${port} ${user}@${address}`;
}

async function entryOf(record: VmRecord): Promise<RosterEntry | undefined> {
  if (!record.ssh) return undefined;
  const { host: address, port, user } = record.ssh;
  const secrets = await readSecrets(record.dir);
  const host = typeof record.providerOptions.uri === 'string' ? record.providerOptions.uri : undefined;
  const listen = typeof record.providerOptions.listen === 'string' ? record.providerOptions.listen : undefined;
  const entry = { vm: record.name, address, port, user, password: secrets?.password, ssh: sshCommand(user, address, port), host, verified: Boolean(record.login?.verified) };
  return listen ? { ...entry, listen } : entry;
}

const isLoopback = (address: string) => address.startsWith('127.') || address === '::1' || address === 'localhost';

/**
 * The roster as students on other machines see it: loopback addresses replaced by `address`
 * (this machine's LAN name or IP). Warns about VMs whose port only this machine can reach.
 */
export function forStudents(roster: Roster, address: string): { roster: Roster; warnings: string[] } {
  const warnings: string[] = [];
  const entries = roster.entries.map((entry) => {
    if (!isLoopback(entry.address)) return entry;
    if (entry.listen !== '0.0.0.0') {
      warnings.push(`${entry.vm}: its SSH port listens on ${entry.listen ?? '127.0.0.1'} only, so other machines cannot reach it: set provider listen: 0.0.0.0 in the scenario, then atomlab down and up`);
    }
    return { ...entry, address, ssh: sshCommand(entry.user, address, entry.port) };
  });
  return { roster: { ...roster, entries }, warnings };
}

/** `student-2` before `student-10`. */
const byName = new Intl.Collator('en', { numeric: true }).compare;

/** The lab's VMs as `up` left them: address, port, user and password of each, in name order. */
export async function readRoster(scenarioFile: string): Promise<Roster> {
  const state = await readState(labPaths(labStateDir(scenarioFile)).stateFile);
  if (!state) {
    throw new AtomlabError(`the lab of ${scenarioFile} is not up: there is no roster yet`, { code: 'NOT_FOUND', hint: `bring it up first: atomlab up ${scenarioFile}` });
  }
  const records = Object.values(state.vms).sort((a, b) => byName(a.name, b.name));
  const entries = (await Promise.all(records.map(entryOf))).filter((entry): entry is RosterEntry => entry !== undefined);
  const missing = records.filter((record) => !entries.some((entry) => entry.vm === record.name)).map((record) => record.name);
  return missing.length ? { lab: state.lab, entries, missing } : { lab: state.lab, entries };
}
