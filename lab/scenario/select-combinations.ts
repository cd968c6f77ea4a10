import { AtomlabError } from '../errors/index.js';
import type { LabPlan } from '../plan/index.js';

/** `KEY=VALUE` filters (`provider=qemu`): a combination is kept when it matches every one. */
export function selectCombinations(plans: LabPlan[], filters: string[] | undefined): LabPlan[] {
  if (!filters?.length) return plans;
  if (!plans[0]?.combination) throw new AtomlabError('--combination needs a scenario with a matrix:', { code: 'BAD_INPUT' });
  const wanted = filters.map((filter) => {
    const [key, value] = filter.split('=', 2) as [string, string | undefined];
    const known = [...new Set(plans.map((plan) => plan.combination![key]).filter((v): v is string => v !== undefined))];
    if (value === undefined || known.length === 0 || !known.includes(value)) {
      const keys = Object.keys(plans[0]!.combination!);
      throw new AtomlabError(`no matrix combination has ${filter}`, {
        code: 'BAD_INPUT',
        hint: known.length ? `${key} is one of: ${known.join(', ')}` : `give KEY=VALUE with KEY one of: ${keys.join(', ')}`,
      });
    }
    return [key, value] as const;
  });
  return plans.filter((plan) => wanted.every(([key, value]) => plan.combination![key] === value));
}
