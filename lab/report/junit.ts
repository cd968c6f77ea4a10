import { createRequire } from 'node:module';
import type { Builder, TestSuite } from 'junit-report-builder';
import type { RunReport, StepResult } from '../steps/index.js';

/** The package is CommonJS (module.exports = a builder); its typings describe an ES default export. */
const junitBuilder = createRequire(import.meta.url)('junit-report-builder') as Builder;

function indent(text: string): string {
  return text.trimEnd().split('\n').map((line) => `  ${line}`).join('\n');
}

/** The failure text: what failed, the command, its exit status and output, the console's last lines. */
export function failureText(result: StepResult): string {
  const parts = [`${result.vm}: step ${result.step} (${result.kind}) ${result.name}`, `failed: ${result.failure?.message ?? 'unknown'}`];
  if (result.failure?.hint) parts.push(`hint: ${result.failure.hint}`);
  const output = result.output;
  if (output?.command) parts.push(`command: ${output.command}`);
  if (output?.exitCode !== undefined) parts.push(`exit status: ${String(output.exitCode)}`);
  if (output?.stdout) parts.push(`stdout:\n${indent(output.stdout)}`);
  if (output?.stderr) parts.push(`stderr:\n${indent(output.stderr)}`);
  const tail = result.failure?.consoleTail ?? [];
  if (tail.length > 0) parts.push(`console (last ${tail.length} lines):\n${indent(tail.join('\n'))}`);
  return parts.join('\n');
}

function addCase(suite: TestSuite, lab: string, result: StepResult): void {
  const testCase = suite
    .testCase()
    .className(`${lab}.${result.vm}`)
    .name(`${String(result.step).padStart(2, '0')} ${result.name}`)
    .time(result.durationMs / 1000)
    .property('vm', result.vm)
    .property('kind', result.kind);
  if (result.status === 'failed') testCase.failure(result.failure?.message ?? 'failed', result.kind).stacktrace(failureText(result));
  if (result.status === 'skipped') testCase.skipped().property('skipped', result.detail ?? '');
  if (result.status === 'passed' && result.detail) testCase.property('verified', result.detail);
  if (result.status !== 'passed') return; // a failure's text holds its output already (some consumers show system-err instead)
  if (result.output?.stdout) testCase.standardOutput(result.output.stdout);
  if (result.output?.stderr) testCase.standardError(result.output.stderr);
}

/**
 * JUnit XML for CI: one testsuite per VM, one testcase per step on that VM (failures carry the
 * command, its output and the console tail). Built by junit-report-builder, not by hand.
 */
export function renderJunit(report: RunReport): string {
  const builder = junitBuilder.newBuilder().name(report.lab);
  const vms = [...new Set(report.results.map((r) => r.vm))];
  for (const vm of vms) {
    const suite = builder.testSuite().name(`${report.lab}.${vm}`).timestamp(report.startedAt).property('scenario', report.scenario);
    for (const result of report.results.filter((r) => r.vm === vm)) addCase(suite, report.lab, result);
  }
  return builder.build();
}
