import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { bringUp, type VmOutcome } from './bring-up.js';
import { openLab, type SessionOptions } from './lab-session.js';
import { knownHosts, vmReport, type LabReport } from './lab-report.js';
import { mapLimit } from './map-limit.js';

export interface UpOptions extends SessionOptions {
  /** Only these VMs. */
  only?: string[];
  /** VMs created and booted at once (default 2: TCG guests compete for the cores). */
  parallel?: number;
}

export interface UpResult {
  report: LabReport;
  failures: { vm: string; error: unknown }[];
}

function selectVms<T extends { name: string }>(vms: T[], only: string[] | undefined): T[] {
  if (!only?.length) return vms;
  const unknown = only.filter((name) => !vms.some((vm) => vm.name === name));
  if (unknown.length) {
    throw new AtomlabError(`no VM named ${unknown.join(', ')} in this scenario`, { code: 'BAD_INPUT', hint: `VMs: ${vms.map((vm) => vm.name).join(', ')}` });
  }
  return vms.filter((vm) => only.includes(vm.name));
}

/** Brings the lab's VMs to a verified login, a bounded number at a time. */
export async function up(file: string, options: UpOptions = {}): Promise<UpResult> {
  await using session = await openLab(file, options);
  const vms = selectVms(session.plan.vms, options.only);
  const results = await mapLimit(vms, options.parallel ?? 2, (plan) => bringUp(session, plan));
  await writeFileAtomic(session.paths.knownHosts, `${knownHosts(session.store.current)}\n`, { mode: 0o600 });
  const failures = results.flatMap((result, i) => (result.status === 'rejected' ? [{ vm: vms[i]!.name, error: result.reason as unknown }] : []));
  const actions = new Map(results.flatMap((r) => (r.status === 'fulfilled' ? [[r.value.name, r.value.action] as [string, VmOutcome['action']]] : [])));
  const reports = await Promise.all(
    vms.map(async (plan) => ({ ...(await vmReport(session.store.current.vms[plan.name], plan.name, plan.provider.name, await session.provider(plan.provider))), action: actions.get(plan.name) })),
  );
  return { report: { lab: session.plan.name, scenario: session.plan.file, vms: reports }, failures };
}
