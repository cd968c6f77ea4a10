import type { Command } from 'commander';
import type { App } from './app.js';
import { interruptSignal } from './interrupt.js';
import { printJson, reportError, runAction } from './run-action.js';

interface RunFlags {
  junit?: string;
  json?: boolean;
}

/** Brings the lab up with the `up` view, then hands the terminal to the step view. */
async function upAndRun(file: string, signal: AbortSignal, app: App) {
  const { up, qualifiedName } = await import('../engine/index.js');
  const { loadScenario } = await import('../scenario/index.js');
  const { runLabSteps } = await import('../steps/index.js');
  const { LabView } = await import('./lab-view.js');
  const { StepView } = await import('./step-view.js');
  const loaded = await loadScenario(file, { providers: app.providers });
  const { plan, plans } = loaded;
  const labView = new LabView(plans.flatMap((lab) => lab.vms.map((vm) => qualifiedName(lab, vm.name))), 'waiting');
  labView.start();
  const upResult = await up(loaded, { providers: app.providers, events: labView.sink, signal }).finally(() => labView.finish());
  for (const failure of upResult.failures) reportError(failure.error);
  const stepView = new StepView(plan.steps);
  stepView.start();
  const report = await runLabSteps(loaded, { providers: app.providers, stepEvents: stepView.sink, signal }).finally(() => stepView.finish());
  return { report, upFailures: upResult.failures };
}

export function register(program: Command, app: App): void {
  program
    .command('run')
    .description('bring the lab up if needed and run the scenario\'s steps (exit 1 if any step failed)')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .option('--junit <file>', 'write a JUnit XML report (one testcase per step per VM)')
    .option('--json', 'one JSON document on stdout: {lab, totals, results: [...]}')
    .action(
      runAction(async (file: string, flags: RunFlags) => {
        const { renderSummary, writeJunit } = await import('../report/index.js');
        const interrupt = interruptSignal();
        try {
          const { report, upFailures } = await upAndRun(file, interrupt.signal, app);
          if (flags.junit) await writeJunit(flags.junit, report);
          if (flags.json) printJson(report);
          else process.stdout.write(`${renderSummary(report)}\n`);
          if (interrupt.signal.aborted) return 130;
          return report.totals.failed > 0 || upFailures.length > 0 ? 1 : 0;
        } finally {
          interrupt.dispose();
        }
      }),
    );
}
