import { readFile } from 'node:fs/promises';
import { escapeHtml } from '../html/index.js';
import type { LabProgress } from '../progress/index.js';
import { readRoster, rosterHtml } from '../roster/index.js';

/** What a request gets back. */
export interface Reply {
  status: number;
  type: string;
  body: string | Buffer;
  /** Content-Security-Policy when not the page's own. */
  csp?: string;
}

/** Documents atomlab wrote itself (roster, HTML report): inline styles, no scripts, framed by the page only. */
const DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

const text = (status: number, body: string): Reply => ({ status, type: 'text/plain; charset=utf-8', body: `${body}\n` });

/** The page, its assets named with the token (every request carries it). */
export function pageResponse(token: string): Reply {
  const t = encodeURIComponent(token);
  const body = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>atomlab dashboard</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/app.css?token=${escapeHtml(t)}"></head>
<body data-token="${escapeHtml(token)}">
<header><h1 id="lab">atomlab</h1><div id="where"></div><div id="tools"><button id="print" type="button">Print roster</button></div></header>
<main><div id="error" hidden></div><section id="run" hidden></section><section id="cards" aria-live="polite"></section></main>
<iframe id="roster-frame" title="roster" hidden></iframe>
<script type="module" src="/app.js?token=${escapeHtml(t)}"></script></body></html>
`;
  return { status: 200, type: 'text/html; charset=utf-8', body };
}

/** The printable roster cards (`atomlab roster --format html`). */
export async function rosterResponse(file: string): Promise<Reply> {
  const roster = await readRoster(file).catch(() => undefined);
  if (!roster) return text(404, 'the lab is not up: no roster yet');
  return { status: 200, type: 'text/html; charset=utf-8', body: rosterHtml(roster), csp: DOCUMENT_CSP };
}

/** The last run's reports: the JUnit and HTML files it wrote, and its JSON report. */
export async function reportResponse(progress: LabProgress | undefined, kind: 'junit' | 'html' | 'json'): Promise<Reply> {
  if (kind === 'json') return progress?.report ? { status: 200, type: 'application/json', body: JSON.stringify(progress.report, null, 2) } : text(404, 'no finished run');
  const path = progress?.reports[kind];
  const body = path ? await readFile(path).catch(() => undefined) : undefined;
  if (!body) return text(404, `the last run wrote no ${kind} report`);
  return kind === 'junit' ? { status: 200, type: 'application/xml', body } : { status: 200, type: 'text/html; charset=utf-8', body, csp: DOCUMENT_CSP };
}
