import type { RunReport, StepResult } from '../steps/index.js';

const MARK = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' } as const;
/** Lines of a failed command's own output the summary shows (the JUnit and JSON reports keep it all). */
export const OUTPUT_TAIL_LINES = 12;

function line(result: StepResult): string {
  const why = result.status === 'failed' ? result.failure?.message : result.detail;
  return `${MARK[result.status]} ${String(result.step).padStart(2)}. ${result.vm}: ${result.name}${why ? ` — ${why}` : ''}`;
}

/** The last lines of a stream, or none when it printed nothing. */
export function lastLines(text: string | undefined, count = OUTPUT_TAIL_LINES): string[] {
  const lines = (text ?? '').replace(/\s+$/, '').split('\n');
  return lines.length === 1 && lines[0] === '' ? [] : lines.slice(-count);
}

/** Under a failed step: what the command printed last, so the reason is in front of the reader. */
function failedOutput(result: StepResult): string[] {
  if (result.status !== 'failed' || !result.output) return [];
  const { command, exitCode, stdout, stderr } = result.output;
  const block = (name: string, text: string | undefined) => {
    const tail = lastLines(text);
    return tail.length ? [`       ${name} (last ${tail.length} lines):`, ...tail.map((l) => `         | ${l}`)] : [];
  };
  return [...commandLines(command, exitCode), ...block('stdout', stdout), ...block('stderr', stderr)];
}

/** The command, on one line, or (a script of several lines) indented under its heading. */
function commandLines(command: string | undefined, exitCode: number | null | undefined): string[] {
  if (!command) return [];
  const exit = exitCode === undefined || exitCode === null ? '' : ` (exit ${exitCode})`;
  const lines = command.replace(/\s+$/, '').split('\n');
  return lines.length === 1 ? [`       command: ${lines[0]!}${exit}`] : [`       command${exit}:`, ...lines.map((l) => `         ${l}`)];
}

/** A short text summary for terminals: one line per step and VM (a failure with its output's last lines), then the totals. */
export function renderSummary(report: RunReport): string {
  const { passed, failed, skipped } = report.totals;
  const seconds = (report.durationMs / 1000).toFixed(1);
  const body = report.results.flatMap((result) => [line(result), ...failedOutput(result)]);
  return [`lab ${report.lab}: steps of ${report.scenario}`, ...body, `${passed} passed, ${failed} failed, ${skipped} skipped (${seconds} s)`].join('\n');
}
