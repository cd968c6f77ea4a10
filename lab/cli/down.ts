import type { Command } from 'commander';
import type { App } from './app.js';
import { printJson, runAction } from './run-action.js';

/** The scenario's labs when it still loads (their cloud providers are asked by tag too); down works without them. */
async function plansIfValid(file: string, app: App) {
  const { loadScenario } = await import('../scenario/index.js');
  return loadScenario(file, { providers: app.providers }).then((loaded) => loaded.plans, () => undefined);
}

export function register(program: Command, app: App): void {
  program
    .command('down')
    .description('stop and remove everything the lab made, also what carries its tag in a cloud (the image cache stays); idempotent')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .option('--images', 'also remove every image atomlab uploaded to the labs\' clouds (shared by every lab there)')
    .option('--json', 'one JSON document on stdout: {removed: [...], tagged: [...], images?: [...]}')
    .option('--no-wait', 'when another atomlab is working on the lab, refuse at once (naming its pid) instead of waiting for it')
    .option('--force', 'when the state file cannot be read (damaged, or written by a newer atomlab): remove what can be found without it')
    .action(
      runAction(async (file: string, flags: { json?: boolean; images?: boolean; wait?: boolean; force?: boolean }) => {
        const { down, removeStateDirIfEmpty } = await import('../engine/index.js');
        const events = (event: { kind: string; vm?: string; phase?: string; message?: string }) => {
          if (event.kind === 'phase' && event.phase === 'removed') process.stderr.write(`removed ${event.vm}\n`);
          if (event.kind === 'warning') process.stderr.write(`${event.message?.startsWith('removed ') ? '' : 'warning: '}${event.message}\n`);
        };
        const result = await down(file, { providers: app.providers, events, plans: await plansIfValid(file, app), images: flags.images ?? false, wait: flags.wait, force: flags.force });
        await removeStateDirIfEmpty(file);
        for (const report of result.images ?? []) for (const image of report.resources) process.stderr.write(`removed ${report.provider} ${image.kind} ${image.id}\n`);
        if (flags.images && !result.images?.some((report) => report.resources.length > 0)) process.stderr.write('no uploaded images to remove\n');
        if (flags.json) printJson(result);
        else if (result.removed.length === 0 && result.tagged.length === 0) process.stderr.write('nothing to remove\n');
      }),
    );
}
