import type { Command } from 'commander';
import type { Catalog } from '../catalog/index.js';
import type { ProviderRegistry } from '../provider/index.js';
import type { App } from './app.js';
import { runAction } from './run-action.js';

/** What `atomlab validate` prints for a valid scenario; a problem throws (InvalidFileError: exit 2). */
export async function validateScenario(file: string, options: { providers: ProviderRegistry; json?: boolean; catalog?: Catalog }): Promise<string> {
  const { loadScenario } = await import('../scenario/index.js');
  const { plan, plans } = await loadScenario(file, { providers: options.providers, catalog: options.catalog });
  const count = plan.vms.length;
  const vms = `${count} VM${count === 1 ? '' : 's'}`;
  if (options.json) return `${JSON.stringify(plan.combination ? plans : plan, null, 2)}\n`;
  if (plan.combination) return `${file}: valid, matrix of ${plans.length} labs with ${vms} each: ${plans.map((p) => p.name).join(', ')}\n`;
  return `${file}: valid, lab "${plan.name}" with ${vms}\n`;
}

export function register(program: Command, app: App): void {
  program
    .command('validate')
    .description('check a scenario file; prints FILE:LINE:COL: message per problem (exit 2)')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .option('--json', 'print the resolved plan as JSON (a list of plans for a matrix)')
    .action(
      runAction(async (file: string, options: { json?: boolean }) => {
        process.stdout.write(await validateScenario(file, { ...options, providers: app.providers }));
      }),
    );
}
