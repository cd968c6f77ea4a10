import type { RunReport, StepResult } from '../steps/index.js';

const MARK = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' } as const;

function line(result: StepResult): string {
  const why = result.status === 'failed' ? result.failure?.message : result.detail;
  return `${MARK[result.status]} ${String(result.step).padStart(2)}. ${result.vm}: ${result.name}${why ? ` — ${why}` : ''}`;
}

/** A short text summary for terminals: one line per step and VM, then the totals. */
export function renderSummary(report: RunReport): string {
  const { passed, failed, skipped } = report.totals;
  const seconds = (report.durationMs / 1000).toFixed(1);
  return [`lab ${report.lab}: steps of ${report.scenario}`, ...report.results.map(line), `${passed} passed, ${failed} failed, ${skipped} skipped (${seconds} s)`].join('\n');
}
