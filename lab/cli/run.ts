import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { App } from './app.js';
import type { ProgressRecorder } from '../progress/index.js';
import type { LoadedScenario } from '../scenario/index.js';
import { interruptSignal } from './interrupt.js';
import { printJson, reportError, runAction } from './run-action.js';

interface RunFlags {
  junit?: string;
  html?: string;
  json?: boolean;
  yes?: boolean;
}

/** Brings the lab up with the `up` view, then hands the terminal to the step view; progress.json follows both. */
async function upAndRun(loaded: LoadedScenario, signal: AbortSignal, app: App, progress: ProgressRecorder, yes: boolean) {
  const { up, qualifiedName } = await import('../engine/index.js');
  const { runLabSteps } = await import('../steps/index.js');
  const { ProgressRecorder } = await import('../progress/index.js');
  const { LabView } = await import('./lab-view.js');
  const { StepView } = await import('./step-view.js');
  const { plan, plans } = loaded;
  const { billableSummary, confirmBillable } = await import('./billable.js');
  await confirmBillable(billableSummary(plans, app.providers), { yes, interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY) });
  const labView = new LabView(plans.flatMap((lab) => lab.vms.map((vm) => qualifiedName(lab, vm.name))), 'waiting');
  labView.start();
  const upResult = await up(loaded, { providers: app.providers, events: ProgressRecorder.tee(labView.sink, progress.labSink), signal }).finally(() => labView.finish());
  for (const failure of upResult.failures) reportError(failure.error);
  const stepView = new StepView(plan.steps);
  stepView.start();
  const report = await runLabSteps(loaded, { providers: app.providers, stepEvents: ProgressRecorder.tee(stepView.sink, progress.stepSink), signal }).finally(() => stepView.finish());
  return { report, upFailures: upResult.failures };
}

export function register(program: Command, app: App): void {
  program
    .command('run')
    .description('bring the lab up if needed and run the scenario\'s steps (exit 1 if any step failed)')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .option('--junit <file>', 'write a JUnit XML report (one testcase per step per VM)')
    .option('--html <file>', 'write an HTML report (pass/fail per step and VM, durations, failure output)')
    .option('--json', 'one JSON document on stdout: {lab, totals, results: [...]}')
    .option('--yes', 'create billable cloud resources without asking (needed without a terminal)')
    .action(
      runAction(async (file: string, flags: RunFlags) => {
        const { renderSummary, writeJunit, writeHtmlReport } = await import('../report/index.js');
        const { ProgressRecorder } = await import('../progress/index.js');
        const { labPaths, labStateDir } = await import('../state/index.js');
        const { loadScenario } = await import('../scenario/index.js');
        const loaded = await loadScenario(file, { providers: app.providers }); // a bad scenario leaves no .atomlab/ behind
        const progress = new ProgressRecorder({ file: labPaths(labStateDir(file)).progressFile, command: 'run' });
        const interrupt = interruptSignal();
        try {
          const { report, upFailures } = await upAndRun(loaded, interrupt.signal, app, progress, flags.yes ?? false);
          if (flags.junit) await writeJunit(flags.junit, report);
          if (flags.html) await writeHtmlReport(flags.html, report);
          if (flags.json) printJson(report);
          else process.stdout.write(`${renderSummary(report)}\n`);
          const failed = report.totals.failed > 0 || upFailures.length > 0;
          const reports = { ...(flags.junit ? { junit: resolve(flags.junit) } : {}), ...(flags.html ? { html: resolve(flags.html) } : {}) };
          await progress.finish(interrupt.signal.aborted ? 'interrupted' : failed ? 'failed' : 'passed', { report, reports });
          if (interrupt.signal.aborted) return 130;
          return failed ? 1 : 0;
        } catch (error) {
          await progress.finish(interrupt.signal.aborted ? 'interrupted' : 'failed');
          throw error;
        } finally {
          interrupt.dispose();
        }
      }),
    );
}
