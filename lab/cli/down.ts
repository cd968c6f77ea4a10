import type { Command } from 'commander';
import type { App } from './app.js';
import { printJson, runAction } from './run-action.js';

export function register(program: Command, app: App): void {
  program
    .command('down')
    .description('stop and remove everything the lab made (the image cache stays); idempotent')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .option('--json', 'one JSON document on stdout: {removed: [...]}')
    .option('--no-wait', 'when another atomlab is working on the lab, refuse at once (naming its pid) instead of waiting for it')
    .option('--force', 'when the state file cannot be read (damaged, or written by a newer atomlab): remove what can be found without it')
    .action(
      runAction(async (file: string, flags: { json?: boolean; wait?: boolean; force?: boolean }) => {
        const { down, removeStateDirIfEmpty } = await import('../engine/index.js');
        const events = (event: { kind: string; vm?: string; phase?: string; message?: string }) => {
          if (event.kind === 'phase' && event.phase === 'removed') process.stderr.write(`removed ${event.vm}\n`);
          if (event.kind === 'warning') process.stderr.write(`warning: ${event.message}\n`);
        };
        const result = await down(file, { providers: app.providers, events, wait: flags.wait, force: flags.force });
        await removeStateDirIfEmpty(file);
        if (flags.json) printJson(result);
        else if (result.removed.length === 0) process.stderr.write('nothing to remove\n');
      }),
    );
}
