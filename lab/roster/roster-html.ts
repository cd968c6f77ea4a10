import { escapeHtml as escape } from '../html/index.js';
import type { Roster, RosterEntry } from './roster-entries.js';

export type Paper = 'a4' | 'letter';

/** Cards per printed page: 2 across, 4 down, sized to fit inside both A4 and Letter. */
export const CARDS_PER_PAGE = 8;


/**
 * A4 is 210 × 297 mm and Letter 215.9 × 279.4 mm: with 10 mm margins both leave at least
 * 190 × 259 mm, which holds 2 × 4 cards of 90 × 58 mm with 6 mm gaps.
 */
function style(paper: Paper | undefined): string {
  const size = paper === 'a4' ? 'size: A4;' : paper === 'letter' ? 'size: letter;' : '';
  return `
@page { ${size} margin: 10mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #000; background: #fff; }
.page { display: grid; grid-template-columns: repeat(2, 90mm); grid-auto-rows: 58mm; gap: 6mm; width: 186mm; margin: 0 auto; break-after: page; }
.page:last-child { break-after: auto; }
@media screen { .page { margin: 10mm auto; } }
.card { border: 0.4mm dashed #555; padding: 4mm 5mm; display: flex; flex-direction: column; gap: 1.6mm; overflow: hidden; break-inside: avoid; }
.lab { font-size: 8pt; text-transform: uppercase; letter-spacing: 0.08em; color: #444; }
.vm { font-size: 17pt; font-weight: bold; }
.row { display: flex; gap: 2mm; font-size: 10pt; align-items: baseline; }
.row .k { width: 21mm; color: #444; font-size: 8.5pt; flex: none; }
.mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; overflow-wrap: anywhere; }
.password { font-size: 15pt; font-weight: bold; letter-spacing: 0.05em; }
.ssh { font-size: 9pt; }`;
}

function row(key: string, value: string, className = ''): string {
  return `<div class="row"><span class="k">${key}</span><span class="mono ${className}">${escape(value)}</span></div>`;
}

function card(lab: string, entry: RosterEntry): string {
  return [
    '<div class="card">',
    `<div class="lab">${escape(lab)}</div>`,
    `<div class="vm">${escape(entry.vm)}</div>`,
    row('User', entry.user),
    row('Password', entry.password ?? '(key login only)', 'password'),
    row('Address', `${entry.address} port ${entry.port}`),
    row('SSH', entry.ssh, 'ssh'),
    '</div>',
  ].join('');
}

/** A printable page: one card per student, eight to a sheet, cut along the dashed lines. */
export function rosterHtml(roster: Roster, options: { paper?: Paper } = {}): string {
  const pages: string[] = [];
  for (let i = 0; i < roster.entries.length; i += CARDS_PER_PAGE) {
    pages.push(`<section class="page">${roster.entries.slice(i, i + CARDS_PER_PAGE).map((entry) => card(roster.lab, entry)).join('\n')}</section>`);
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(roster.lab)}: logins</title>
<style>${style(options.paper)}
</style>
</head>
<body>
${pages.join('\n')}
</body>
</html>
`;
}
