import type { PathSegment } from '../yaml/index.js';
import { dataUrl } from './data-url.js';
import type { IgnitionConfig } from './merge-ignition.js';

/** A scenario `ignition:` fragment in Ignition's own shape, and how to point back at what was written. */
export interface NormalizedFragment {
  config: IgnitionConfig;
  /** Where a path of `config` was written in the fragment (its longest known prefix, then the rest). */
  sourcePath(path: readonly PathSegment[]): PathSegment[];
  /** Butane sugar atomlab does not translate, each at its path in the fragment. */
  problems: { path: PathSegment[]; message: string }[];
}

export interface NormalizeOptions {
  /** The scalar as written at a path of the fragment: YAML 1.2 reads Butane's `mode: 0644` as 644. */
  written?(path: PathSegment[]): string | undefined;
  /** Leave `inline` contents as they are (a plan keeps them until `{{serve.NAME}}` is filled in). */
  keepInline?: boolean;
}

/** Butane's snake_case keys as Ignition spells them: `ssh_authorized_keys` → sshAuthorizedKeys, `start_mib` → startMiB. */
export function ignitionKey(key: string): string {
  return key.replace(/_([a-z0-9])([a-z0-9]*)/g, (_all, first: string, rest: string) => (`${first}${rest}` === 'mib' ? 'MiB' : `${first.toUpperCase()}${rest}`));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A file mode as Butane means it: octal when written with a leading 0 (0644), or as an octal string. */
function fileMode(value: unknown, written: string | undefined): unknown {
  const text = typeof value === 'string' ? value : written;
  if (text !== undefined && /^0[0-7]{1,4}$|^0o[0-7]{1,4}$/.test(text.trim())) return parseInt(text.trim().replace(/^0o/, ''), 8);
  return value;
}

interface Walk {
  options: NormalizeOptions;
  map: Map<string, PathSegment[]>;
  problems: NormalizedFragment['problems'];
}

function convertObject(walk: Walk, node: Record<string, unknown>, from: PathSegment[], to: PathSegment[]): IgnitionConfig {
  const out: IgnitionConfig = {};
  for (const [key, value] of Object.entries(node)) {
    if (to.length === 0 && (key === 'variant' || key === 'version')) continue; // Butane's header
    if (key === 'local') {
      walk.problems.push({ path: [...from, key], message: 'contents.local (a file beside the Butane config) is not supported here: use inline, or source with a URL' });
      continue;
    }
    const inline = key === 'inline' && !walk.options.keepInline;
    const name = inline ? 'source' : ignitionKey(key);
    if (inline && 'source' in node) walk.problems.push({ path: [...from, key], message: 'give inline or source, not both' });
    const raw = inline && typeof value === 'string' ? dataUrl(value) : name === 'mode' ? fileMode(value, walk.options.written?.([...from, key])) : value;
    out[name] = convert(walk, raw, [...from, key], [...to, name]);
  }
  if (to.length === 1 && to[0] === 'ignition') delete out.version; // the image decides the spec version
  return out;
}

function convert(walk: Walk, node: unknown, from: PathSegment[], to: PathSegment[]): unknown {
  walk.map.set(JSON.stringify(to), from);
  if (Array.isArray(node)) return node.map((item, i) => convert(walk, item, [...from, i], [...to, i]));
  if (isObject(node)) return convertObject(walk, node, from, to);
  return node;
}

/**
 * Reads a scenario's `ignition:` value, written as Ignition JSON in YAML (camelCase keys,
 * `contents.source`) or Butane-shaped (snake_case keys, `contents.inline`, octal `mode: 0644`,
 * `variant`/`version` header), into Ignition's shape. `ignition.version` is dropped: the spec
 * version is the image's.
 */
export function normalizeFragment(fragment: Record<string, unknown>, options: NormalizeOptions = {}): NormalizedFragment {
  const walk: Walk = { options, map: new Map(), problems: [] };
  const config = convert(walk, fragment, [], []) as IgnitionConfig;
  const sourcePath = (path: readonly PathSegment[]): PathSegment[] => {
    for (let n = path.length; n >= 0; n--) {
      const known = walk.map.get(JSON.stringify(path.slice(0, n)));
      if (known) return [...known, ...path.slice(n)];
    }
    return [...path];
  };
  return { config, sourcePath, problems: walk.problems };
}
