import { setTimeout as sleep } from 'node:timers/promises';
import { atomlab, type AtomlabCall, type Finished } from './child.js';
import { processesNaming, runningDomains } from './traces.js';

export interface LabReportShape {
  vms?: { name: string; state: string; login?: { verified?: boolean } }[];
  serve?: { name: string; running: boolean }[];
  combinations?: { serve?: { name: string; running: boolean }[] }[];
}

/** Parses a --json answer; undefined when it is not one JSON document. */
export function parseReport(finished: Finished): LabReportShape | undefined {
  try {
    return JSON.parse(finished.stdout) as LabReportShape;
  } catch {
    return undefined;
  }
}

/** VMs whose hypervisor process or domain is alive right now: `-name LAB/VM` QEMUs and running domains. */
async function aliveVms(lab: string, libvirtUri: string | undefined): Promise<number> {
  // the qemu provider names its QEMUs `-name LAB/VM` (a matrix: `LAB-VALUES/VM`); libvirt's are domains
  const qemus = (await processesNaming([`-name ${lab}`])).filter((line) => line.includes('qemu-system'));
  return qemus.length + (await runningDomains(libvirtUri, lab)).length;
}

/**
 * `status --json` after a kill: it must answer (exit 0, one JSON document) and show every VM that
 * is still alive (not `missing`) and every file server still running. Returns the problems.
 */
export async function judgeStatus(call: AtomlabCall, lab: string, libvirtUri: string | undefined): Promise<{ problems: string[]; stdout: string }> {
  await sleep(500); // a process that was exiting has exited
  const alive = await aliveVms(lab, libvirtUri);
  const servers = (await processesNaming([call.args[1]!.replace(/\/atomlab\.yaml$/, '/.atomlab/serve')])).length;
  const status = await atomlab({ ...call, args: ['status', call.args[1]!, '--json'] }, 5 * 60_000);
  const report = parseReport(status);
  if (status.exitCode !== 0 || !report) return { problems: [`status exit ${status.exitCode ?? status.signal}: ${status.stderr.trim().split('\n').slice(-3).join(' | ')}`], stdout: status.stdout };
  const shown = (report.vms ?? []).filter((vm) => vm.state !== 'missing').length;
  const shownServers = [...(report.serve ?? []), ...(report.combinations ?? []).flatMap((c) => c.serve ?? [])].filter((s) => s.running).length;
  const problems: string[] = [];
  if (shown < alive) problems.push(`status shows ${shown} VM(s) present but ${alive} are alive`);
  if (shownServers < servers) problems.push(`status shows ${shownServers} file server(s) running but ${servers} are alive`);
  return { problems, stdout: status.stdout };
}

/** A fresh `up --json`: exit 0 and every VM's login verified. Returns the problem, if any. */
export async function judgeRecovery(call: AtomlabCall, upFlags: string[]): Promise<string | undefined> {
  const up = await atomlab({ ...call, args: ['up', call.args[1]!, ...upFlags, '--json'] });
  const report = parseReport(up);
  const vms = report?.vms ?? [];
  if (up.exitCode === 0 && vms.length > 0 && vms.every((vm) => vm.login?.verified)) return undefined;
  const unverified = vms.filter((vm) => !vm.login?.verified).map((vm) => vm.name);
  return `recovery up exit ${up.exitCode ?? up.signal}${unverified.length ? `, not verified: ${unverified.join(', ')}` : ''}: ${up.stderr.trim().split('\n').slice(-3).join(' | ')}`;
}
