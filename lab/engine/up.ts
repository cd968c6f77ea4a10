import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { loadScenario, selectCombinations, type LabPlan } from '../scenario/index.js';
import { bringUp, type VmOutcome } from './bring-up.js';
import type { EventSink } from './events.js';
import { openLabPlan, type SessionOptions } from './lab-session.js';
import { combineReports, knownHosts, vmReport, type LabReport } from './lab-report.js';
import { ensureServers, serveReports } from './lab-servers.js';
import { createLimiter, type Limiter } from './limiter.js';

export interface UpOptions extends SessionOptions {
  /** Only these VMs (in every combination of a matrix). */
  only?: string[];
  /** VMs created and booted at once, over all combinations of a matrix (default 2: TCG guests compete for the cores). */
  parallel?: number;
  /** Only the matrix combinations matching every `KEY=VALUE` (`provider=qemu`). */
  combinations?: string[];
}

export interface UpResult {
  report: LabReport;
  /** The VMs that failed; in a matrix, named `<combination>/<vm>`. */
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

/** How a VM of this lab is named in events and failures: `<combination>/<vm>` in a matrix. */
export function qualifiedName(plan: LabPlan, vm: string): string {
  return plan.combinationKey ? `${plan.combinationKey}/${vm}` : vm;
}

function qualifyEvents(sink: EventSink | undefined, plan: LabPlan): EventSink | undefined {
  if (!sink || !plan.combinationKey) return sink;
  return (event) => sink(event.vm === undefined ? event : { ...event, vm: qualifiedName(plan, event.vm) });
}

/** One lab (a plain scenario, or one combination): servers, then its VMs through the shared limit. */
async function upLab(plan: LabPlan, options: UpOptions, limit: Limiter): Promise<UpResult> {
  const vms = selectVms(plan.vms, options.only);
  await using session = await openLabPlan(plan, { ...options, events: qualifyEvents(options.events, plan) });
  await ensureServers(session); // also stops servers of serve names the scenario dropped
  const results = await Promise.allSettled(vms.map((vm) => limit(() => bringUp(session, vm))));
  await writeFileAtomic(session.paths.knownHosts, `${knownHosts(session.store.current)}\n`, { mode: 0o600 });
  const failures = results.flatMap((result, i) => (result.status === 'rejected' ? [{ vm: qualifiedName(plan, vms[i]!.name), error: result.reason as unknown }] : []));
  const actions = new Map(results.flatMap((r) => (r.status === 'fulfilled' ? [[r.value.name, r.value.action] as [string, VmOutcome['action']]] : [])));
  const reports = await Promise.all(
    vms.map(async (vm) => ({ ...(await vmReport(session.store.current.vms[vm.name], vm.name, vm.provider.name, await session.provider(vm.provider))), action: actions.get(vm.name) })),
  );
  const serve = await serveReports(plan.serve, session.store.current);
  return { report: { lab: plan.name, scenario: plan.file, vms: reports, ...(serve ? { serve } : {}) }, failures };
}

/**
 * Brings the scenario's labs (one, or one per matrix combination, side by side) to verified
 * logins; at most `parallel` VMs are created and booted at once over all of them.
 */
export async function up(file: string, options: UpOptions = {}): Promise<UpResult> {
  const loaded = await loadScenario(file, options);
  const { scenario } = loaded;
  const plans = selectCombinations(loaded.plans, options.combinations);
  const limit = createLimiter(options.parallel ?? 2);
  const labs = await Promise.all(
    plans.map(async (plan) => {
      try {
        return await upLab(plan, options, limit);
      } catch (error) {
        if (!plan.combinationKey || (error instanceof AtomlabError && error.code === 'BAD_INPUT')) throw error; // not one combination's own failure
        return { report: { lab: plan.name, scenario: plan.file, vms: [] }, failures: [{ vm: `${plan.combinationKey}/*`, error }] };
      }
    }),
  );
  const report = combineReports(scenario.name, plans[0]!.file, labs.map((lab, i) => ({ report: lab.report, key: plans[i]!.combinationKey, values: plans[i]!.combination })));
  return { report, failures: labs.flatMap((lab) => lab.failures) };
}
