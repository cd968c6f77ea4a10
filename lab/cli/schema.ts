import type { Command } from 'commander';
import { runAction } from './run-action.js';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editors)')
    .action(
      runAction(async () => {
        const { scenarioJsonSchema } = await import('../scenario/index.js');
        process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      }),
    );
}
