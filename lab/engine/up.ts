import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import type { VmPlan } from '../scenario/index.js';
import { bringUp, type VmOutcome } from './bring-up.js';
import { openLab, type LabSession, type SessionOptions } from './lab-session.js';
import { knownHosts, vmReport, type LabReport } from './lab-report.js';
import { mapLimit } from './map-limit.js';
import { placeAndCheck, type CapacityOptions } from './place-and-check.js';

export interface UpOptions extends SessionOptions, CapacityOptions {
  /** Only these VMs. */
  only?: string[];
  /** VMs created and booted at once (default 2: TCG guests compete for the cores). */
  parallel?: number;
  /** How often a VM that fails verification is recreated and tried again (default 1). */
  retries?: number;
}

export interface UpResult {
  report: LabReport;
  failures: { vm: string; error: unknown }[];
}

/** What happened to one VM across its attempts. */
interface Attempts {
  outcome: VmOutcome;
  /** Why earlier attempts failed. */
  failed: string[];
}

function selectVms<T extends { name: string }>(vms: T[], only: string[] | undefined): T[] {
  if (!only?.length) return vms;
  const unknown = only.filter((name) => !vms.some((vm) => vm.name === name));
  if (unknown.length) {
    throw new AtomlabError(`no VM named ${unknown.join(', ')} in this scenario`, { code: 'BAD_INPUT', hint: `VMs: ${vms.map((vm) => vm.name).join(', ')}` });
  }
  return vms.filter((vm) => only.includes(vm.name));
}

/** Errors another attempt cannot fix: bad input, a missing tool, Ctrl-C. */
function retryable(error: unknown, session: LabSession): boolean {
  if (session.signal.aborted) return false;
  return !(error instanceof AtomlabError && ['BAD_INPUT', 'SCENARIO_INVALID', 'MISSING_TOOL', 'INTERRUPTED'].includes(error.code));
}

/** One VM, recreated and tried again after a failure, up to `retries` times; the others carry on. */
async function withRetries(session: LabSession, plan: VmPlan, retries: number): Promise<Attempts> {
  const failed: string[] = [];
  for (let attempt = 0; ; attempt++) {
    const lastAttempt = attempt >= retries;
    try {
      return { outcome: await bringUp(session, plan, { recreate: attempt > 0, lastAttempt }), failed };
    } catch (error) {
      if (lastAttempt || !retryable(error, session)) throw Object.assign(error as object, { earlierAttempts: failed });
      failed.push(error instanceof Error ? error.message : String(error));
      session.events({ kind: 'progress', vm: plan.name, detail: `attempt ${attempt + 1} failed; recreating it (attempt ${attempt + 2} of ${retries + 1})` });
    }
  }
}

/** Brings the lab's VMs to a verified login, a bounded number at a time. */
export async function up(file: string, options: UpOptions = {}): Promise<UpResult> {
  await using session = await openLab(file, options);
  const vms = await placeAndCheck(session, selectVms(session.plan.vms, options.only), options);
  const results = await mapLimit(vms, options.parallel ?? 2, (plan) => withRetries(session, plan, options.retries ?? 1));
  await writeFileAtomic(session.paths.knownHosts, `${knownHosts(session.store.current)}\n`, { mode: 0o600 });
  const failures = results.flatMap((result, i) => (result.status === 'rejected' ? [{ vm: vms[i]!.name, error: result.reason as unknown }] : []));
  const attempts = new Map(
    results.map((r, i) => [vms[i]!.name, r.status === 'fulfilled' ? r.value : { failed: (r.reason as { earlierAttempts?: string[] }).earlierAttempts ?? [] }] as const),
  );
  const reports = await Promise.all(
    vms.map(async (plan) => {
      const tried = attempts.get(plan.name) as Partial<Attempts> | undefined;
      const report = await vmReport(session.store.current.vms[plan.name], plan.name, plan.provider.name, await session.provider(plan.provider));
      return { ...report, action: tried?.outcome?.action, ...(tried?.failed?.length ? { retried: tried.failed } : {}) };
    }),
  );
  return { report: { lab: session.plan.name, scenario: session.plan.file, vms: reports }, failures };
}
