import { loadProvider } from '../provider/index.js';
import { loadScenario, type ProviderName } from '../scenario/index.js';
import { labPaths, readState } from '../state/index.js';
import { vmReport, type LabReport } from './lab-report.js';

/** The lab as it is now: the scenario's VMs and any the state still remembers. */
export async function status(file: string): Promise<LabReport> {
  const { plan } = await loadScenario(file);
  const state = await readState(labPaths(plan.stateDir).stateFile);
  const names = [...new Set([...plan.vms.map((vm) => vm.name), ...Object.keys(state?.vms ?? {})])];
  const vms = await Promise.all(
    names.map(async (name) => {
      const record = state?.vms[name];
      const planned = plan.vms.find((vm) => vm.name === name);
      const providerName = (record?.provider ?? planned?.provider.name ?? 'qemu') as ProviderName;
      const provider = await loadProvider(providerName, record?.providerOptions ?? planned?.provider.options).catch(() => undefined);
      return vmReport(record, name, providerName, provider);
    }),
  );
  return { lab: plan.name, scenario: plan.file, vms };
}

