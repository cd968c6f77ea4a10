import type { Command } from 'commander';
import type { App } from './app.js';
import { relative } from 'node:path';
import { runAction } from './run-action.js';

interface InitFlags {
  yes?: boolean;
  force?: boolean;
  template?: string;
  list?: boolean;
}

async function listTemplates(): Promise<void> {
  const { listTemplates } = await import('../init/index.js');
  const templates = await listTemplates();
  const width = Math.max(...templates.map((t) => t.name.length));
  process.stdout.write(`${templates.map((t) => `${t.name.padEnd(width)}  ${t.title}`).join('\n')}\n`);
}

export function register(program: Command, app: App): void {
  program
    .command('init')
    .description('create atomlab.yaml with an interactive wizard, blank or from a template')
    .argument('[dir]', 'directory for the lab', '.')
    .option('-y, --yes', 'write the defaults without asking')
    .option('-f, --force', 'overwrite an existing atomlab.yaml')
    .option('-t, --template <name>', 'start from a template (atomlab init --list)')
    .option('--list', 'list the templates and what each needs')
    .action(
      runAction(async (dir: string, options: InitFlags) => {
        if (options.list) return listTemplates();
        const { initLab } = await import('../init/index.js');
        const interactive = !options.yes;
        if (interactive && !process.stdin.isTTY) {
          const { AtomlabError } = await import('../errors/index.js');
          throw new AtomlabError('atomlab init asks questions, but standard input is not a terminal', { code: 'BAD_INPUT', hint: 'run it in a terminal, or pass --yes for the defaults' });
        }
        const { file, template } = await initLab(dir, { providers: app.providers, yes: options.yes, force: options.force, template: options.template });
        const shown = relative(process.cwd(), file) || file;
        process.stderr.write(`wrote ${shown}${template ? ` (template ${template})` : ''}\nnext: atomlab validate ${shown} && atomlab up ${shown}\n`);
      }),
    );
}
