import { confirm } from '@inquirer/prompts';
import { AtomlabError } from '../errors/index.js';
import type { LabPlan, VmPlan } from '../plan/index.js';
import type { ProviderRegistry } from '../provider/index.js';

/** What `up` would create with providers that bill for it, one line per lab and provider; empty when none. */
export function billableSummary(plans: LabPlan[], providers: ProviderRegistry, selected: (vm: string) => boolean = () => true): string[] {
  const lines: string[] = [];
  for (const plan of plans) {
    const byProvider = new Map<string, VmPlan[]>();
    for (const vm of plan.vms.filter((candidate) => selected(candidate.name) && providers.get(candidate.provider.name).billable)) {
      byProvider.set(vm.provider.name, [...(byProvider.get(vm.provider.name) ?? []), vm]);
    }
    for (const [provider, vms] of byProvider) {
      const sizes = vms.map((vm) => `${vm.name} (${vm.cpus} CPU, ${vm.memoryMiB} MiB)`).join(', ');
      const uploads = vms.some((vm) => !vm.image.cloud) ? '; the image uploaded once unless it is already there' : '';
      lines.push(`${plan.name} on ${provider}: ${vms.length} VM(s): ${sizes}; the lab's network access rules and key${uploads}`);
    }
  }
  return lines;
}

export interface ConfirmBillableOptions {
  yes: boolean;
  /** Whether a person can answer (stdin and stderr are terminals). */
  interactive: boolean;
  ask?: (message: string) => Promise<boolean>;
  write?: (text: string) => void;
}

/**
 * Before anything that costs money: says what will be made and asks. `--yes` skips the
 * question; without a terminal and without `--yes`, refuses (a script must opt in).
 */
export async function confirmBillable(summary: string[], options: ConfirmBillableOptions): Promise<void> {
  if (summary.length === 0) return;
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  write(`This creates resources that cost money until atomlab down removes them:\n${summary.map((line) => `  - ${line}`).join('\n')}\n`);
  if (options.yes) return;
  if (!options.interactive) {
    throw new AtomlabError('refusing to create billable cloud resources without a terminal to ask', { code: 'BAD_INPUT', hint: 'pass --yes to create them' });
  }
  const ask = options.ask ?? ((message: string) => confirm({ message, default: false }, { output: process.stderr }));
  if (!(await ask('Create them?'))) throw new AtomlabError('nothing created: the billable resources were declined', { code: 'BAD_INPUT', hint: 'pass --yes to skip the question' });
}
