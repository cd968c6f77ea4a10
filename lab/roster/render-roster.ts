import type { Roster, RosterEntry } from './roster-entries.js';

export const ROSTER_FORMATS = ['csv', 'md', 'html', 'json'] as const;
export type RosterFormat = (typeof ROSTER_FORMATS)[number];

const COLUMNS: [string, (entry: RosterEntry) => string][] = [
  ['vm', (e) => e.vm],
  ['address', (e) => e.address],
  ['port', (e) => String(e.port)],
  ['user', (e) => e.user],
  ['password', (e) => e.password ?? ''],
  ['ssh', (e) => e.ssh],
];

/** RFC 4180: quote fields holding a comma, quote or line break; double the quotes. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function rosterCsv(roster: Roster): string {
  const lines = [COLUMNS.map(([name]) => name), ...roster.entries.map((entry) => COLUMNS.map(([, get]) => get(entry)))];
  return `${lines.map((cells) => cells.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function mdCell(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('|', '\\|');
}

export function rosterMarkdown(roster: Roster): string {
  const header = ['VM', 'Address', 'Port', 'User', 'Password', 'SSH'];
  const rows = roster.entries.map((entry) => COLUMNS.map(([, get], i) => (i === 4 || i === 5 ? `\`${mdCell(get(entry))}\`` : mdCell(get(entry)))));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [`# ${mdCell(roster.lab)}`, '', line(header), line(header.map(() => '---')), ...rows.map(line), ''].join('\n');
}

export function rosterJson(roster: Roster): string {
  return `${JSON.stringify(roster, null, 2)}\n`;
}
