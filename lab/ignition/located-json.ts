import type { PathSegment } from '../yaml/index.js';

/** JSON text laid out one value per line, with the path of the value on each line. */
export interface LocatedJson {
  text: string;
  /** The path of what starts on a 1-based line (the document's root past the end). */
  pathAt(line: number): PathSegment[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON.stringify(value, null, 2)'s layout, remembering which path each line holds: a judge that
 * reports only "line N col M" (Go's json type errors) can then be traced back to the input.
 */
export function stringifyLocated(value: unknown): LocatedJson {
  const lines: string[] = [];
  const paths: PathSegment[][] = [];
  const emit = (text: string, path: PathSegment[]) => {
    lines.push(text);
    paths.push(path);
  };
  const walk = (node: unknown, path: PathSegment[], indent: string, prefix: string, comma: string): void => {
    const entries: [PathSegment, unknown][] = Array.isArray(node) ? node.map((item, i) => [i, item]) : isObject(node) ? Object.entries(node) : [];
    if (entries.length === 0) {
      emit(`${indent}${prefix}${JSON.stringify(node) ?? 'null'}${comma}`, path);
      return;
    }
    const [open, close] = Array.isArray(node) ? ['[', ']'] : ['{', '}'];
    emit(`${indent}${prefix}${open}`, path);
    entries.forEach(([key, item], i) => {
      const itemPrefix = typeof key === 'number' ? '' : `${JSON.stringify(key)}: `;
      walk(item, [...path, key], `${indent}  `, itemPrefix, i < entries.length - 1 ? ',' : '');
    });
    emit(`${indent}${close}${comma}`, path);
  };
  walk(value, [], '', '', '');
  return { text: `${lines.join('\n')}\n`, pathAt: (line) => paths[line - 1] ?? [] };
}
