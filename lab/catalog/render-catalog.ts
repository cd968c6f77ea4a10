import type { CatalogEntry } from './catalog-schema.js';

function source(entry: CatalogEntry): string {
  if (entry.recipe) return 'built here';
  return entry.stream ? `stream ${entry.stream.replace(/^.*\/([^/]+?)(\.json)?$/, '$1')}` : 'download';
}

function format(entry: CatalogEntry): string {
  if (!entry.format) return `per provider (${entry.architecture})`;
  return `${entry.format}${!entry.compression || entry.compression === 'none' ? '' : `.${entry.compression}`}`;
}

/** The catalog as a table for terminals: id, source kind, format, first-boot config, user, title. */
export function renderCatalog(entries: CatalogEntry[]): string {
  const rows = entries.map((e) => [e.id, source(e), format(e), e.config === 'ignition' ? `ignition ${e.ignition ?? ''}`.trim() : e.config, e.user, e.title]);
  const header = ['ID', 'SOURCE', 'FORMAT', 'CONFIG', 'USER', 'TITLE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
