import type { Command } from 'commander';
import type { App } from './app.js';
import { Option } from 'commander';
import { runAction } from './run-action.js';

interface RosterFlags {
  format: 'csv' | 'md' | 'html' | 'json';
  output?: string;
  paper?: 'a4' | 'letter';
  address?: string;
}

export function register(program: Command, _app: App): void {
  program
    .command('roster')
    .description('each VM\'s address, SSH port, user and password: a table, or printable cards (one per student)')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'md', 'html', 'json']).default('md'))
    .option('-o, --output <file>', 'write to this file (mode 0600: it holds passwords) instead of stdout')
    .option('--address <host>', 'the name or IP students reach this machine at: replaces 127.0.0.1 (ports must listen on 0.0.0.0: provider listen)')
    .addOption(new Option('--paper <size>', 'page size of the HTML cards (default: the printer\'s)').choices(['a4', 'letter']))
    .action(
      runAction(async (file: string, flags: RosterFlags) => {
        const roster = await import('../roster/index.js');
        const { writeFileAtomic } = await import('../files/index.js');
        const all = await roster.readRoster(file);
        const { roster: read, warnings } = flags.address ? roster.forStudents(all, flags.address) : { roster: all, warnings: [] };
        for (const warning of warnings) process.stderr.write(`atomlab: ${warning}\n`);
        const render = { csv: roster.rosterCsv, md: roster.rosterMarkdown, json: roster.rosterJson, html: (r: typeof read) => roster.rosterHtml(r, { paper: flags.paper }) }[flags.format];
        const text = render(read);
        if (read.missing?.length) process.stderr.write(`atomlab: not in the roster (no verified login): ${read.missing.join(', ')}\n`);
        if (flags.output) await writeFileAtomic(flags.output, text, { mode: 0o600 });
        else process.stdout.write(text);
      }),
    );
}
