import type { ProviderRegistry } from '../provider/index.js';
import { selectCombinations, type LoadedScenario } from '../scenario/index.js';
import type { LabPlan } from '../plan/index.js';
import { labPaths, readState } from '../state/index.js';
import { combineReports, vmReport, type LabReport } from './lab-report.js';
import { serveReports } from './lab-servers.js';
import { providersOfPlan, providersOfState, untrackedResources } from './inventory.js';

/** One lab as it is now: its plan's VMs and any its state still remembers. */
async function labStatus(plan: LabPlan, providers: ProviderRegistry): Promise<LabReport> {
  const state = await readState(labPaths(plan.stateDir).stateFile);
  const names = [...new Set([...plan.vms.map((vm) => vm.name), ...Object.keys(state?.vms ?? {})])];
  const vms = await Promise.all(
    names.map(async (name) => {
      const record = state?.vms[name];
      const planned = plan.vms.find((vm) => vm.name === name);
      const providerName = record?.provider ?? planned?.provider.name ?? 'qemu';
      const provider = await providers.load(providerName, record?.providerOptions ?? planned?.provider.options).catch(() => undefined);
      return vmReport(record, name, providerName, provider);
    }),
  );
  const serve = await serveReports(plan.serve, state);
  const untracked = await untrackedResources({ name: plan.name, stateDir: plan.stateDir }, state, [...providersOfState(state), ...providersOfPlan(plan)], providers);
  return { lab: plan.name, scenario: plan.file, vms, ...(serve ? { serve } : {}), ...(untracked.length ? { untracked } : {}) };
}

export interface StatusOptions {
  providers: ProviderRegistry;
  /** Only the matrix combinations matching every `KEY=VALUE`. */
  combinations?: string[];
}

/** The scenario's labs as they are now; a matrix grouped by combination. */
export async function status(loaded: LoadedScenario, options: StatusOptions): Promise<LabReport> {
  const { scenario } = loaded;
  const plans = selectCombinations(loaded.plans, options.combinations);
  const reports = await Promise.all(plans.map((plan) => labStatus(plan, options.providers)));
  return combineReports(scenario.name, plans[0]!.file, reports.map((report, i) => ({ report, key: plans[i]!.combinationKey, values: plans[i]!.combination })));
}
