import type { CachedImage } from '../images/index.js';
import { printJson } from './run-action.js';

const MiB = 1024 * 1024;

/** `images ls`: a table, or the entries as JSON. */
export async function listAction(flags: { json?: boolean }): Promise<void> {
  const { listImages } = await import('../images/index.js');
  const images = await listImages();
  if (flags.json) return printJson(images);
  const rows = images.map((image) => [image.id, image.format, `${(image.virtualSize / MiB).toFixed(0)} MiB`, image.sha256.slice(0, 12)]);
  const table = [['ID', 'FORMAT', 'VIRTUAL SIZE', 'SHA256'], ...rows];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  for (const row of table) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`);
}

/** `images rm ID…`: exit 1 when an id matched nothing. */
export async function removeAction(ids: string[]): Promise<number> {
  const { removeImages } = await import('../images/index.js');
  const { removed, unknown } = await removeImages(ids);
  for (const image of removed) process.stderr.write(`removed ${image.id} (${image.sha256.slice(0, 12)})\n`);
  for (const id of unknown) process.stderr.write(`atomlab: no cached image matches ${id}\n`);
  return unknown.length > 0 ? 1 : 0;
}

export async function pruneAction(): Promise<void> {
  const { pruneCache } = await import('../images/index.js');
  const { removed } = await pruneCache();
  process.stderr.write(`pruned ${removed} leftover item${removed === 1 ? '' : 's'}\n`);
}

function describe(image: CachedImage): string {
  return `${image.id} (${image.sha256.slice(0, 12)})`;
}

/** `images verify`: re-hash everything; bad entries are removed and make the exit code 1. */
export async function verifyAction(flags: { json?: boolean }): Promise<number> {
  const { verifyCache } = await import('../images/index.js');
  const report = await verifyCache();
  if (flags.json) printJson(report);
  else {
    for (const image of report.ok) process.stdout.write(`ok   ${describe(image)}\n`);
    for (const image of report.bad) process.stdout.write(`BAD  ${describe(image)}: now ${image.actual.slice(0, 12)}, removed\n`);
  }
  return report.bad.length > 0 ? 1 : 0;
}
