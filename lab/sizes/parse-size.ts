/**
 * Sizes as users write them: a number of MiB, or a string with a binary unit
 * (`512M`, `512MiB`, `1.5G`, `1GiB`, `20GB`). K/M/G/T are all powers of 1024, as in QEMU.
 */
export const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(B|K|KB|KiB|M|MB|MiB|G|GB|GiB|T|TB|TiB)?\s*$/i;

const UNIT_POWERS: Record<string, number> = { '': 2, b: 0, k: 1, m: 2, g: 3, t: 4 };

/** Bytes for a size; a bare number (or a string without a unit) counts MiB. */
export function parseSize(value: number | string): number {
  if (typeof value === 'number') return Math.round(value * 1024 ** 2);
  const match = SIZE_PATTERN.exec(value);
  if (!match) throw new RangeError(`not a size: ${JSON.stringify(value)} (write e.g. 512MiB or 2GiB)`);
  const unit = (match[2] ?? '').charAt(0).toLowerCase();
  return Math.round(Number(match[1]) * 1024 ** UNIT_POWERS[unit]!);
}

export function bytesToMiB(bytes: number): number {
  return Math.ceil(bytes / 1024 ** 2);
}

/** `1.5 GiB`, `512 MiB`: the largest unit that keeps the number readable. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let index = 0;
  while (value >= 1024 && index < units.length - 1) {
    value /= 1024;
    index++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[index]}`;
}
