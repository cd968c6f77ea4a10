export { readRoster, sshCommand, forStudents } from './roster-entries.js';
export type { Roster, RosterEntry } from './roster-entries.js';
export { rosterCsv, rosterMarkdown, rosterJson, ROSTER_FORMATS } from './render-roster.js';
export type { RosterFormat } from './render-roster.js';
export { rosterHtml, CARDS_PER_PAGE } from './roster-html.js';
export type { Paper } from './roster-html.js';
