import type { LabPlan } from '../plan/index.js';
import type { ProviderRegistry } from '../provider/index.js';

/**
 * Why a matrix combination cannot run here: the first of its providers whose probe says it is
 * unavailable (VirtualBox not installed, no libvirtd), as `<provider>: <reason>`. Such a
 * combination is reported skipped and the others run.
 */
export async function unavailableProvider(plan: LabPlan, providers: ProviderRegistry): Promise<string | undefined> {
  const seen = new Set<string>();
  for (const vm of plan.vms) {
    const key = JSON.stringify(vm.provider);
    if (seen.has(key)) continue;
    seen.add(key);
    const probe = await (await providers.load(vm.provider.name, vm.provider.options)).probe();
    if (!probe.available) return `${vm.provider.name}: ${probe.reason ?? 'unavailable'}`;
  }
  return undefined;
}
