import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { selectCombinations, type LoadedScenario } from '../scenario/index.js';
import type { LabPlan } from '../plan/index.js';
import type { EventSink } from './events.js';
import { openLabPlan, type SessionOptions } from './lab-session.js';
import { combineReports, knownHosts, vmReport, type LabReport } from './lab-report.js';
import { prepareLabResources } from './lab-resources.js';
import { ensureServers, serveReports } from './lab-servers.js';
import { ensureLabKey } from './vm-seed.js';
import { createLimiter, type Limiter } from './limiter.js';
import { placeAndCheck, type CapacityOptions } from './place-and-check.js';
import { earlierFailures, withRetries } from './retries.js';
import { unavailableProvider } from './unavailable-provider.js';

export interface UpOptions extends SessionOptions, CapacityOptions {
  /** Only these VMs (in every combination of a matrix). */
  only?: string[];
  /** VMs created and booted at once, over all combinations of a matrix (default 2: TCG guests compete for the cores). */
  parallel?: number;
  /** Only the matrix combinations matching every `KEY=VALUE` (`provider=qemu`). */
  combinations?: string[];
  /** How often a VM that fails verification is recreated and tried again (default 1). */
  retries?: number;
  /** Destroy the selected VMs and make them anew (recreating a failed VM), then the same retries. */
  recreate?: boolean;
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

/**
 * One lab (a plain scenario, or one combination): placed and checked against the hosts'
 * capacity, servers started, then its VMs through the shared limit, each retried on failure.
 */
async function upLab(plan: LabPlan, options: UpOptions, limit: Limiter): Promise<UpResult> {
  await using session = await openLabPlan(plan, { ...options, events: qualifyEvents(options.events, plan) });
  const vms = await placeAndCheck(session, selectVms(plan.vms, options.only), options);
  await ensureServers(session); // also stops servers of serve names the scenario dropped
  await prepareLabResources(session, vms, (await ensureLabKey(session.paths, plan.name)).publicKey);
  const results = await Promise.allSettled(vms.map((vm) => limit(() => withRetries(session, vm, options.retries ?? 1, { recreate: options.recreate }))));
  await writeFileAtomic(session.paths.knownHosts, `${knownHosts(session.store.current)}\n`, { mode: 0o600 });
  const failures = results.flatMap((result, i) => (result.status === 'rejected' ? [{ vm: qualifiedName(plan, vms[i]!.name), error: result.reason as unknown }] : []));
  const reports = await Promise.all(
    vms.map(async (vm, i) => {
      const tried = earlierFailures(results[i]!);
      const report = await vmReport(session.store.current.vms[vm.name], vm.name, vm.provider.name, await session.provider(vm.provider));
      return { ...report, action: tried.outcome?.action, ...(tried.failed?.length ? { retried: tried.failed } : {}) };
    }),
  );
  const serve = await serveReports(plan.serve, session.store.current);
  return { report: { lab: plan.name, scenario: plan.file, vms: reports, ...(serve ? { serve } : {}) }, failures };
}

/**
 * Brings the scenario's labs (one, or one per matrix combination, side by side) to verified
 * logins; at most `parallel` VMs are created and booted at once over all of them.
 */
export async function up(loaded: LoadedScenario, options: UpOptions): Promise<UpResult> {
  const { scenario } = loaded;
  const plans = selectCombinations(loaded.plans, options.combinations);
  const limit = createLimiter(options.parallel ?? 2);
  const labs = await Promise.all(
    plans.map(async (plan) => {
      try {
        const skipped = plan.combinationKey ? await unavailableProvider(plan, options.providers) : undefined;
        if (skipped) return { report: { lab: plan.name, scenario: plan.file, vms: [], skipped }, failures: [] };
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
