import type { Command } from 'commander';
import type { App } from './app.js';
import { runAction } from './run-action.js';

type Verb = 'snapshot' | 'revert';

async function act(verb: Verb, name: string, snapshot: string, scenario: string, app: App): Promise<void> {
  const { findVm } = await import('../engine/index.js');
  const { hasSnapshots } = await import('../provider/index.js');
  const { AtomlabError } = await import('../errors/index.js');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(snapshot)) {
    throw new AtomlabError(`snapshot name "${snapshot}" is not allowed`, { code: 'BAD_INPUT', hint: 'letters, digits, ., _ and -, at most 64' });
  }
  const { record, provider } = await findVm(scenario, name, app.providers);
  if (!hasSnapshots(provider)) throw new AtomlabError(`the ${provider.name} provider cannot take snapshots`, { code: 'BAD_INPUT', context: { vm: name } });
  if (verb === 'snapshot') await provider.snapshot(record.ref, snapshot);
  else await provider.revert(record.ref, snapshot);
  process.stderr.write(`${verb === 'snapshot' ? 'took snapshot' : 'reverted to'} ${snapshot} of ${name}\n`);
}

function registerVerb(program: Command, app: App, verb: Verb, description: string): void {
  program
    .command(verb)
    .description(description)
    .argument('<vm>', 'VM name (<combination>/<vm> in a matrix)')
    .argument('<name>', 'snapshot name')
    .option('-s, --scenario <file>', 'scenario file', 'atomlab.yaml')
    .action(runAction((vm: string, snapshot: string, flags: { scenario: string }) => act(verb, vm, snapshot, flags.scenario, app)));
}

export function register(program: Command, app: App): void {
  registerVerb(program, app, 'snapshot', 'take a named snapshot of a VM (disk, and memory while it runs)');
  registerVerb(program, app, 'revert', 'revert a VM to a named snapshot');
}
