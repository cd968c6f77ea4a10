import { basename } from 'node:path';
import type { Matrix, VmSettings } from './schema.js';

/** One combination of a matrix: the value chosen per key, and where it stands in the file. */
export interface Combination {
  /** Short name: the labels joined by `-` (`qemu-tiny`, `256MiB`). */
  key: string;
  /** A readable label per matrix key (`provider: qemu`). */
  labels: Record<string, string>;
  /** The chosen values, layered over `defaults`. */
  settings: VmSettings;
  /** The index of the chosen value in each matrix list, to point at it. */
  indexes: Record<string, number>;
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** A short label for one matrix value: the value itself, a provider's or image's name, else its position. */
function label(key: string, value: unknown, index: number): string {
  if (typeof value === 'string' || typeof value === 'number') return slug(String(value)) || `${key}${index + 1}`;
  const object = (value ?? {}) as Record<string, unknown>;
  const named = object.name ?? object.path ?? object.url;
  return typeof named === 'string' && slug(basename(named)) ? slug(basename(named)) : `${key}${index + 1}`;
}

/** Labels for one key's values, made distinct by position where two would read the same. */
function labelsFor(key: string, values: unknown[]): string[] {
  const labels = values.map((value, index) => label(key, value, index));
  return labels.map((text, index) => (labels.indexOf(text) === labels.lastIndexOf(text) ? text : `${text}-${index + 1}`));
}

/** Every combination of the matrix's values, in file order (the first key varies slowest). */
export function expandMatrix(matrix: Matrix): Combination[] {
  let combinations: Combination[] = [{ key: '', labels: {}, settings: {}, indexes: {} }];
  for (const [key, values] of Object.entries(matrix) as [keyof VmSettings, unknown[] | undefined][]) {
    if (!values?.length) continue;
    const labels = labelsFor(key, values);
    combinations = combinations.flatMap((combination) =>
      values.map((value, index) => ({
        key: combination.key ? `${combination.key}-${labels[index]!}` : labels[index]!,
        labels: { ...combination.labels, [key]: labels[index]! },
        settings: { ...combination.settings, [key]: value },
        indexes: { ...combination.indexes, [key]: index },
      })),
    );
  }
  return combinations;
}
