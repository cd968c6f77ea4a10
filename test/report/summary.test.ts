import test from 'ava';
import { renderSummary } from '../../lab/report/index.js';
import { totals, type RunReport, type StepResult } from '../../lab/steps/index.js';

// The terminal summary under a failed step: the command, and the last lines of its own output.
function summaryOf(command: string): string {
  const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1} of the fetch`).join('\n');
  const failed: StepResult = {
    step: 1, name: 'the update server answers', kind: 'run', vm: 'atomic', status: 'failed', durationMs: 900,
    output: { command, exitCode: 7, stdout: `${lines}\n`, stderr: 'curl: (7) Failed to connect to 10.0.2.2 port 8000\n' },
    failure: { message: 'the command exited 7, expected 0', consoleTail: [] },
  };
  const report: RunReport = { lab: 'qa', scenario: '/labs/qa.yaml', startedAt: '2026-11-30T01:00:00.000Z', durationMs: 900, totals: totals([failed]), results: [failed] };
  return renderSummary(report);
}

test('a failed step shows its command and the last 12 lines of its stdout and stderr', (t) => {
  const summary = summaryOf('curl -fsS http://10.0.2.2:8000/repo/config');
  t.regex(summary, /^ {7}command: curl -fsS http:\/\/10\.0\.2\.2:8000\/repo\/config \(exit 7\)\n {7}stdout \(last 12 lines\):\n {9}\| line 9 of the fetch\n/m);
  t.regex(summary, /\| line 20 of the fetch\n {7}stderr \(last 1 lines\):\n {9}\| curl: \(7\) Failed to connect/);
  t.notRegex(summary, /line 8 of/);
});

test('a command of several lines is indented under its heading, not spilled to the left margin', (t) => {
  const summary = summaryOf('for i in $(seq 1 20); do echo "line $i of the fetch"; done\necho failed >&2\nexit 7\n');
  t.regex(summary, /^ {7}command \(exit 7\):\n {9}for i in \$\(seq 1 20\); do echo "line \$i of the fetch"; done\n {9}echo failed >&2\n {9}exit 7\n {7}stdout \(last 12 lines\):$/m);
  t.deepEqual(summary.split('\n').slice(1, -1).filter((line) => !line.startsWith(' ') && !line.startsWith('FAIL')), []);
});
