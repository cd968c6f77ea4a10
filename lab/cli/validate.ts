import type { Command } from 'commander';
import { runAction } from './run-action.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a scenario file; prints FILE:LINE:COL: message per problem (exit 2)')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .option('--json', 'print the resolved plan as JSON')
    .action(
      runAction(async (file: string, options: { json?: boolean }) => {
        const { loadScenario } = await import('../scenario/index.js');
        const { plan } = await loadScenario(file);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        } else {
          const count = plan.vms.length;
          process.stdout.write(`${file}: valid, lab "${plan.name}" with ${count} VM${count === 1 ? '' : 's'}\n`);
        }
      }),
    );
}
