import type { Command } from 'commander';
import type { App } from './app.js';
import { InvalidArgumentError } from 'commander';
import { interruptSignal } from './interrupt.js';
import { printJson, reportError, runAction } from './run-action.js';

function positive(value: string): number {
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || n < 1 || String(n) !== value) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

function count(value: string): number {
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || n < 0 || String(n) !== value) throw new InvalidArgumentError('must be a whole number (0 or more)');
  return n;
}

interface UpFlags {
  only?: string[];
  parallel?: number;
  retries?: number;
  force?: boolean;
  combination?: string[];
  json?: boolean;
  yes?: boolean;
  wait?: boolean;
}

export function register(program: Command, app: App): void {
  program
    .command('up')
    .description('create, boot and verify the lab\'s VMs (idempotent)')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .option('--only <vm...>', 'only these VMs')
    .option('--parallel <n>', 'VMs brought up at once, over every combination of a matrix (default 2)', positive)
    .option('--retries <n>', 'recreate a VM that fails verification up to n times (default 1)', count)
    .option('--force', 'start even when the lab does not fit the host(s)\' CPUs and memory')
    .option('--combination <key=value...>', 'only the matrix combinations with these values (provider=qemu)')
    .option('--json', 'one JSON document on stdout: {lab, vms: [...], serve?, combinations?}')
    .option('--yes', 'create billable cloud resources without asking (needed without a terminal)')
    .option('--no-wait', 'when another atomlab is working on the lab, refuse at once (naming its pid) instead of waiting for it')
    .action(
      runAction(async (file: string, flags: UpFlags) => {
        const { up, renderReports, qualifiedName } = await import('../engine/index.js');
        const { loadScenario, selectCombinations } = await import('../scenario/index.js');
        const { LabView } = await import('./lab-view.js');
        const loaded = await loadScenario(file, { providers: app.providers });
        const plans = selectCombinations(loaded.plans, flags.combination);
        const selected = (name: string) => !flags.only?.length || flags.only.includes(name);
        const { billableSummary, confirmBillable } = await import('./billable.js');
        await confirmBillable(billableSummary(plans, app.providers, selected), { yes: flags.yes ?? false, interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY) });
        const names = plans.flatMap((plan) => plan.vms.filter((vm) => selected(vm.name)).map((vm) => qualifiedName(plan, vm.name)));
        const { ProgressRecorder } = await import('../progress/index.js');
        const { labPaths, labStateDir } = await import('../state/index.js');
        const view = new LabView(names, 'waiting');
        const progress = new ProgressRecorder({ file: labPaths(labStateDir(file)).progressFile, command: 'up' });
        const interrupt = interruptSignal();
        view.start();
        try {
          const events = ProgressRecorder.tee(view.sink, progress.labSink);
          const options = { providers: app.providers, only: flags.only, parallel: flags.parallel, retries: flags.retries, force: flags.force, combinations: flags.combination, events, signal: interrupt.signal, wait: flags.wait };
          const result = await up(loaded, options).catch(async (error: unknown) => {
            await progress.finish(interrupt.signal.aborted ? 'interrupted' : 'failed');
            throw error;
          });
          await progress.finish(interrupt.signal.aborted ? 'interrupted' : result.failures.length ? 'failed' : 'passed');
          await view.finish();
          for (const failure of result.failures) reportError(failure.error);
          if (flags.json) printJson(result.report);
          else process.stdout.write(`${renderReports(result.report)}\n`);
          if (interrupt.signal.aborted) return 130;
          return result.failures.length > 0 ? 1 : 0;
        } finally {
          interrupt.dispose();
          await view.finish();
        }
      }),
    );
}
