import type { Command } from 'commander';
import { printJson, runAction } from './run-action.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('the lab\'s VMs: state, SSH address, verified login')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .option('--combination <key=value...>', 'only the matrix combinations with these values (provider=qemu)')
    .option('--json', 'one JSON document on stdout: {lab, vms: [...], serve?, combinations?}')
    .action(
      runAction(async (file: string, flags: { json?: boolean; combination?: string[] }) => {
        const { status, renderReports } = await import('../engine/index.js');
        const report = await status(file, { combinations: flags.combination });
        if (flags.json) printJson(report);
        else process.stdout.write(`${renderReports(report)}\n`);
      }),
    );
}
