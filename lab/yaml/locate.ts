import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { YamlSource } from './read-yaml-file.js';

export type PathSegment = string | number;

/** What a path points at in the document: the key (when in a mapping) and the value. */
export interface Located {
  key?: Node;
  value?: Node;
  /** The deepest node found on the way, for paths that go past the document. */
  nearest: Node | undefined;
}

function pairOf(map: unknown, key: PathSegment): Pair<Node, Node> | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(key)) as
    | Pair<Node, Node>
    | undefined;
}

/** Walks a path of keys and indexes through the parsed document. */
export function locate(source: YamlSource, path: readonly PathSegment[]): Located {
  let current: Node | undefined = source.doc.contents ?? undefined;
  let key: Node | undefined;
  let nearest = current;
  for (const segment of path) {
    if (isSeq(current) && typeof segment === 'number') {
      key = undefined;
      current = (current.items[segment] as Node | undefined) ?? undefined;
    } else {
      const pair = pairOf(current, segment);
      key = pair?.key ?? undefined;
      current = pair?.value ?? undefined;
    }
    if (!current && !key) return { nearest };
    nearest = current ?? key;
  }
  return { key, value: current, nearest };
}

/** 1-based line and column of a node's start (the document start when there is none). */
export function positionOf(source: YamlSource, node: Node | undefined): { line: number; col: number } {
  const offset = node?.range?.[0] ?? 0;
  return source.lines.linePos(offset);
}

/** The position of a key in a mapping at `path`, for problems about the key itself. */
export function keyPosition(source: YamlSource, path: readonly PathSegment[], key: string): { line: number; col: number } {
  const { value, nearest } = locate(source, path);
  const pair = pairOf(value, key);
  return positionOf(source, pair?.key ?? value ?? nearest);
}

/** The position of a value at `path`, or of the nearest existing node above it. */
export function valuePosition(source: YamlSource, path: readonly PathSegment[]): { line: number; col: number } {
  const { key, value, nearest } = locate(source, path);
  return positionOf(source, value ?? key ?? nearest);
}

/** Messages quote the input; a line of a megabyte is cut short. */
export function clip(text: string, limit = 160): string {
  return text.length > limit ? `${text.slice(0, limit - 3)}...` : text;
}

const PLAIN_KEY = /^[A-Za-z0-9_][\w/-]*$/;

/** `vms[0].hardware.sound` for messages; a key with spaces or odd characters in quotes (`cloudConfig[" x"]`). */
export function formatPath(path: readonly PathSegment[]): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!PLAIN_KEY.test(segment)) return `[${JSON.stringify(clip(segment, 60))}]`;
      return index === 0 ? segment : `.${segment}`;
    })
    .join('');
}
