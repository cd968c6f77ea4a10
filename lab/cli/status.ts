import type { Command } from 'commander';
import type { App } from './app.js';
import { printJson, runAction } from './run-action.js';

export function register(program: Command, app: App): void {
  program
    .command('status')
    .description('the lab\'s VMs: state, SSH address, verified login')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .option('--combination <key=value...>', 'only the matrix combinations with these values (provider=qemu)')
    .option('--json', 'one JSON document on stdout: {lab, vms: [...], serve?, combinations?}')
    .action(
      runAction(async (file: string, flags: { json?: boolean; combination?: string[] }) => {
        const { status, renderReports } = await import('../engine/index.js');
        const { loadScenario } = await import('../scenario/index.js');
        const report = await status(await loadScenario(file, { providers: app.providers }), { providers: app.providers, combinations: flags.combination });
        if (flags.json) printJson(report);
        else process.stdout.write(`${renderReports(report)}\n`);
      }),
    );
}
