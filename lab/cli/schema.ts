import type { Command } from 'commander';
import type { App } from './app.js';
import { runAction } from './run-action.js';

export function register(program: Command, app: App): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editors)')
    .action(
      runAction(async () => {
        const { scenarioJsonSchema } = await import('../scenario/index.js');
        process.stdout.write(`${JSON.stringify(scenarioJsonSchema(app.providers.providers), null, 2)}\n`);
      }),
    );
}
