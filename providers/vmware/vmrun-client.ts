import { execa } from 'execa';
import { AtomlabError } from '../../lab/errors/index.js';

/**
 * A thin wrapper over `vmrun -T ws|player …` (VMware's VIX command-line tool). vmrun prints its
 * errors on stdout as `Error: <VIX message>` and exits non-zero; each is turned into an
 * AtomlabError here, the known ones with what to do. Sometimes vmrun hangs (Vagrant's VMware
 * plugin says so too): every call has a timeout and is killed after it.
 */

export type VmrunHost = 'ws' | 'player';

export interface VmrunOptions {
  binary: string;
  host: VmrunHost;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What kind of failure a vmrun error is, for callers that branch on it. */
export type VmrunFailure = 'tools-not-running' | 'not-found' | 'locked' | 'not-running' | 'timeout' | 'missing' | 'other';

const KNOWN: { pattern: RegExp; failure: VmrunFailure; hint: string }[] = [
  { pattern: /VMware Tools are not running/i, failure: 'tools-not-running', hint: 'install open-vm-tools in the guest, or let atomlab read the address from the serial console' },
  { pattern: /cannot be found|A file was not found|does not exist/i, failure: 'not-found', hint: 'the VM folder was moved or deleted; `atomlab down` forgets it' },
  { pattern: /lock|in use/i, failure: 'locked', hint: 'another VMware process holds the VM (an open GUI, a crashed vmware-vmx): close it, or remove the *.lck folders in the VM folder' },
  { pattern: /not powered on|needs to be powered on|is not running/i, failure: 'not-running', hint: 'start the VM first (`atomlab up`)' },
];

export class VmrunError extends AtomlabError {
  constructor(readonly failure: VmrunFailure, message: string, options: ConstructorParameters<typeof AtomlabError>[1]) {
    super(message, options);
  }
}

function classify(output: string): { failure: VmrunFailure; hint?: string } {
  const known = KNOWN.find((entry) => entry.pattern.test(output));
  return known ? { failure: known.failure, hint: known.hint } : { failure: 'other' };
}

/** Runs one vmrun command; returns its stdout. */
export async function vmrun(options: VmrunOptions, args: string[]): Promise<string> {
  const command = [options.binary, '-T', options.host, ...args];
  const result = await execa(options.binary, ['-T', options.host, ...args], { reject: false, timeout: options.timeoutMs, cancelSignal: options.signal, stdin: 'ignore' });
  if (result.exitCode === 0 && !result.failed) return result.stdout;
  const context = { provider: 'vmware', command: command.join(' '), exitCode: result.exitCode, stderrTail: `${result.stdout}\n${result.stderr}`.trim().slice(-2000) };
  if ((result as { code?: string }).code === 'ENOENT') {
    throw new VmrunError('missing', `vmrun not found (${options.binary})`, { code: 'MISSING_TOOL', hint: 'install VMware Workstation or Player (vmrun ships with them; Player needs the VIX API package), or set the provider option vmrun', context });
  }
  if (result.timedOut) {
    throw new VmrunError('timeout', `vmrun ${args[0] ?? ''} did not finish within ${Math.round(options.timeoutMs / 1000)} s and was stopped`, { hint: 'vmrun sometimes hangs; check the VM in the VMware UI', context });
  }
  if (result.isCanceled) throw new VmrunError('other', `vmrun ${args[0] ?? ''} was interrupted`, { code: 'INTERRUPTED', context });
  const message = /Error:\s*(.*)/.exec(result.stdout)?.[1] ?? (result.stderr.trim() || `exit code ${result.exitCode}`);
  const { failure, hint } = classify(message);
  throw new VmrunError(failure, `vmrun ${args[0] ?? ''}: ${message}`, { hint, context });
}

/** VMX paths of the running VMs (`vmrun list`: a count line, then one path a line). */
export function parseList(stdout: string): string[] {
  return stdout.split(/\r?\n/).slice(1).map((line) => line.trim()).filter(Boolean);
}

/** Snapshot names (`vmrun listSnapshots`: `Total snapshots: N`, then one name a line). */
export function parseSnapshots(stdout: string): string[] {
  return stdout.split(/\r?\n/).filter((line) => line.trim() && !/^Total snapshots:/i.test(line)).map((line) => line.trim());
}

/** An IPv4 address from `getGuestIPAddress`, unless it is the host side of the NAT (.1), as Vagrant's driver does. */
export function parseGuestAddress(stdout: string): string | undefined {
  const address = stdout.trim();
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(address) && !address.endsWith('.1') ? address : undefined;
}
