import type { Command } from 'commander';
import type { App } from './app.js';
import { runAction } from './run-action.js';

export function register(program: Command, app: App): void {
  program
    .command('validate')
    .description('check a scenario file; prints FILE:LINE:COL: message per problem (exit 2)')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .option('--json', 'print the resolved plan as JSON (a list of plans for a matrix)')
    .action(
      runAction(async (file: string, options: { json?: boolean }) => {
        const { loadScenario } = await import('../scenario/index.js');
        const { plan, plans } = await loadScenario(file, { providers: app.providers });
        const count = plan.vms.length;
        const vms = `${count} VM${count === 1 ? '' : 's'}`;
        if (options.json) {
          process.stdout.write(`${JSON.stringify(plan.combination ? plans : plan, null, 2)}\n`);
        } else if (plan.combination) {
          process.stdout.write(`${file}: valid, matrix of ${plans.length} labs with ${vms} each: ${plans.map((p) => p.name).join(', ')}\n`);
        } else {
          process.stdout.write(`${file}: valid, lab "${plan.name}" with ${vms}\n`);
        }
      }),
    );
}
