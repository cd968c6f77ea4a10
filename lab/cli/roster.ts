import type { Command } from 'commander';
import { Option } from 'commander';
import { runAction } from './run-action.js';

interface RosterFlags {
  format: 'csv' | 'md' | 'html' | 'json';
  output?: string;
  paper?: 'a4' | 'letter';
}

export function register(program: Command): void {
  program
    .command('roster')
    .description('each VM\'s address, SSH port, user and password: a table, or printable cards (one per student)')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'md', 'html', 'json']).default('md'))
    .option('-o, --output <file>', 'write to this file (mode 0600: it holds passwords) instead of stdout')
    .addOption(new Option('--paper <size>', 'page size of the HTML cards (default: the printer\'s)').choices(['a4', 'letter']))
    .action(
      runAction(async (file: string, flags: RosterFlags) => {
        const roster = await import('../roster/index.js');
        const { writeFileAtomic } = await import('../files/index.js');
        const read = await roster.readRoster(file);
        const render = { csv: roster.rosterCsv, md: roster.rosterMarkdown, json: roster.rosterJson, html: (r: typeof read) => roster.rosterHtml(r, { paper: flags.paper }) }[flags.format];
        const text = render(read);
        if (read.missing?.length) process.stderr.write(`atomlab: not in the roster (no verified login): ${read.missing.join(', ')}\n`);
        if (flags.output) await writeFileAtomic(flags.output, text, { mode: 0o600 });
        else process.stdout.write(text);
      }),
    );
}
