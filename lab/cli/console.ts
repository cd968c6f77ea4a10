import type { Command } from 'commander';
import type { App } from './app.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runAction } from './run-action.js';

const DETACH = 0x1d; // Ctrl-]

export function register(program: Command, app: App): void {
  program
    .command('console')
    .description('attach to a VM\'s serial console (Ctrl-] detaches); --log prints the console log')
    .argument('<vm>', 'VM name (<combination>/<vm> in a matrix)')
    .option('-s, --scenario <file>', 'scenario file', 'atomlab.yaml')
    .option('--log', 'print the console log instead of attaching')
    .action(
      runAction(async (name: string, flags: { scenario: string; log?: boolean }) => {
        const { findVm } = await import('../engine/index.js');
        const { AtomlabError } = await import('../errors/index.js');
        const { record, provider } = await findVm(flags.scenario, name, app.providers);
        if (flags.log) {
          process.stdout.write(await readFile(join(record.dir, 'console.log'), 'utf8').catch(() => ''));
          return 0;
        }
        if (!provider.openConsole) throw new AtomlabError(`the ${provider.name} provider cannot attach to a console`, { code: 'FAILED', hint: 'use --log' });
        const stream = await provider.openConsole(record.ref);
        process.stderr.write(`attached to ${name}'s console; Ctrl-] detaches\n`);
        return new Promise<number>((resolve) => {
          const detach = () => {
            if (process.stdin.isTTY) process.stdin.setRawMode(false);
            process.stdin.pause();
            stream.destroy();
            process.stderr.write('\ndetached\n');
            resolve(0);
          };
          if (process.stdin.isTTY) process.stdin.setRawMode(true);
          process.stdin.on('data', (chunk: Buffer) => (chunk.includes(DETACH) ? detach() : stream.write(chunk)));
          process.stdin.on('end', detach);
          stream.pipe(process.stdout, { end: false });
          stream.on('close', detach);
        });
      }),
    );
}
