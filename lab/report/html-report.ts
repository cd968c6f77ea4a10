import { escapeHtml } from '../html/index.js';
import type { RunReport, StepResult } from '../steps/index.js';
import { failureText } from './junit.js';

const STYLE = `
* { box-sizing: border-box; }
body { margin: 0; padding: 1.5rem; font: 16px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1b1f23; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
.meta { color: #555; margin-bottom: 1rem; }
.totals span { display: inline-block; padding: .2rem .7rem; border-radius: 1rem; margin-right: .4rem; font-weight: bold; }
.passed { background: #dcf5e3; color: #0d5d25; }
.failed { background: #fde2e1; color: #8e1512; }
.skipped { background: #eceff1; color: #455a64; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid #e1e4e8; vertical-align: top; }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: #555; }
.status { font-weight: bold; border-radius: .3rem; padding: .1rem .45rem; font-size: .85rem; }
.bar { height: .9rem; background: #4a78c2; border-radius: .2rem; min-width: 2px; }
.bar.failed { background: #c62828; }
.bar.skipped { background: #b0bec5; }
.dur { font-variant-numeric: tabular-nums; white-space: nowrap; color: #333; font-size: .85rem; }
.why { color: #333; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa; padding: .6rem; border-radius: .3rem; font-size: .8rem; max-height: 24rem; overflow: auto; }
@media (max-width: 700px) { body { padding: .6rem; } .vmcol, th.vmcol { display: none; } }
@media print { pre { max-height: none; } }`;

function seconds(ms: number): string {
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${((ms % 60_000) / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function row(result: StepResult, longest: number): string {
  const width = longest > 0 ? Math.max(0.5, (100 * result.durationMs) / longest) : 0;
  const why = result.status === 'failed' ? (result.failure?.message ?? 'failed') : (result.detail ?? '');
  const output = result.status === 'failed' ? `<details open><summary>output</summary><pre>${escapeHtml(failureText(result))}</pre></details>` : '';
  return `<tr class="result ${result.status}-row" data-step="${result.step}" data-vm="${escapeHtml(result.vm)}" data-status="${result.status}">
<td>${result.step}</td><td><span class="status ${result.status}">${result.status}</span></td>
<td>${escapeHtml(result.name)}<div class="why">${escapeHtml(why)}</div>${output}</td>
<td class="vmcol">${escapeHtml(result.vm)}</td>
<td style="width:28%"><div class="bar ${result.status}" style="width:${width.toFixed(1)}%"></div><span class="dur">${seconds(result.durationMs)}</span></td></tr>`;
}

/** `atomlab run --html`: a self-contained page per step and VM with pass/fail, a duration bar each, and failure output. */
export function renderHtmlReport(report: RunReport): string {
  const longest = Math.max(0, ...report.results.map((r) => r.durationMs));
  const { passed, failed, skipped } = report.totals;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.lab)}: ${failed ? 'FAILED' : 'passed'}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(report.lab)}</h1>
<div class="meta">${escapeHtml(report.scenario)} · started ${escapeHtml(report.startedAt)} · ${seconds(report.durationMs)}</div>
<div class="totals"><span class="passed">${passed} passed</span><span class="failed">${failed} failed</span><span class="skipped">${skipped} skipped</span></div>
<table><thead><tr><th>#</th><th>result</th><th>step</th><th class="vmcol">VM</th><th>duration</th></tr></thead>
<tbody>${report.results.map((r) => row(r, longest)).join('\n')}</tbody></table>
</body></html>
`;
}
