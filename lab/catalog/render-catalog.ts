import type { CatalogEntry } from './catalog-schema.js';

/** The catalog as a table for terminals: id, source kind, format, user, title. */
export function renderCatalog(entries: CatalogEntry[]): string {
  const rows = entries.map((e) => [e.id, e.recipe ? 'built here' : 'download', `${e.format}${e.compression === 'none' ? '' : `.${e.compression}`}`, e.user, e.provisioning === 'ignition' ? `${e.title} (Ignition: not usable yet)` : e.title]);
  const header = ['ID', 'SOURCE', 'FORMAT', 'USER', 'TITLE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
