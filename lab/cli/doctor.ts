import type { Command } from 'commander';
import type { App } from './app.js';
import { printJson, runAction } from './run-action.js';

export function register(program: Command, app: App): void {
  program
    .command('doctor')
    .description('what this host can run, and how to fix what it cannot (always exits 0)')
    .option('--json', 'one JSON document on stdout')
    .action(
      runAction(async (options: { json?: boolean }) => {
        const { runDoctor, renderDoctor } = await import('../doctor/index.js');
        const report = await runDoctor(app.providers);
        if (options.json) printJson(report);
        else process.stdout.write(`${renderDoctor(report)}\n`);
      }),
    );
}
