import type { Command } from 'commander';
import type { App } from './app.js';
import { relative } from 'node:path';
import { runAction } from './run-action.js';

export function register(program: Command, app: App): void {
  program
    .command('init')
    .description('create atomlab.yaml with an interactive wizard')
    .argument('[dir]', 'directory for the lab', '.')
    .option('-y, --yes', 'write the defaults without asking')
    .option('-f, --force', 'overwrite an existing atomlab.yaml')
    .action(
      runAction(async (dir: string, options: { yes?: boolean; force?: boolean }) => {
        const { initLab } = await import('../init/index.js');
        const interactive = !options.yes;
        if (interactive && !process.stdin.isTTY) {
          const { AtomlabError } = await import('../errors/index.js');
          throw new AtomlabError('atomlab init asks questions, but standard input is not a terminal', { code: 'BAD_INPUT', hint: 'run it in a terminal, or pass --yes for the defaults' });
        }
        const { file } = await initLab(dir, { providers: app.providers, yes: options.yes, force: options.force });
        const shown = relative(process.cwd(), file) || file;
        process.stderr.write(`wrote ${shown}\nnext: atomlab validate ${shown} && atomlab up ${shown}\n`);
      }),
    );
}
