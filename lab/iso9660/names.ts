import { AtomlabError } from '../errors/index.js';
import { ucs2be } from './bytes.js';

/** Rock Ridge carries names up to NAME_MAX bytes of UTF-8. */
export const MAX_NAME_BYTES = 255;
/** Joliet names are limited to 64 UCS-2 characters (written without a ";1" version). */
export const JOLIET_MAX_UNITS = 64;

/** Rejects names no POSIX file system could hold; returns the UTF-8 bytes. */
export function validateName(name: string, where: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  const problem =
    name === '' ? 'is empty'
    : name === '.' || name === '..' ? 'is reserved'
    : /[/\0]/.test(name) ? 'contains "/" or NUL'
    : bytes.toString('utf8') !== name ? 'is not valid Unicode'
    : bytes.length > MAX_NAME_BYTES ? `is ${bytes.length} bytes long (at most ${MAX_NAME_BYTES})`
    : undefined;
  if (problem) {
    throw new AtomlabError(`ISO entry name ${JSON.stringify(name)} in ${where} ${problem}`, {
      code: 'BAD_INPUT',
      hint: 'use names of 1-255 UTF-8 bytes without "/"',
    });
  }
  return bytes;
}

const dChars = (text: string): string => text.toUpperCase().replace(/[^A-Z0-9_]/g, '_');

/** The level-1 (8.3) identifier a name would like to have, as [base, extension]. */
function primaryWish(name: string, isDir: boolean): [string, string] {
  if (isDir) return [dChars(name).slice(0, 8), ''];
  const dot = name.lastIndexOf('.');
  if (dot < 0) return [dChars(name).slice(0, 8), ''];
  return [dChars(name.slice(0, dot)).slice(0, 8), dChars(name.slice(dot + 1)).slice(0, 3)];
}

/** Makes `candidate(n)` unique within `taken`, trying n = 0, 1, 2, … */
function firstFree(taken: Set<string>, candidate: (n: number) => string): string {
  for (let n = 0; ; n += 1) {
    const id = candidate(n);
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

/** Level-1 identifiers for the names of one directory, unique within it. */
export function primaryIdentifiers(names: { name: string; isDir: boolean }[]): Buffer[] {
  const taken = new Set<string>();
  return names.map(({ name, isDir }) => {
    const [base, ext] = primaryWish(name, isDir);
    const key = firstFree(taken, (n) => {
      const suffix = n === 0 ? '' : String(n);
      return `${base.slice(0, 8 - suffix.length)}${suffix}.${ext}`;
    });
    return Buffer.from(isDir ? key.slice(0, -1) : `${key};1`, 'latin1');
  });
}

/** Cuts a string to at most `units` UTF-16 code units without splitting a surrogate pair. */
function cutUnits(text: string, units: number): string {
  if (text.length <= units) return text;
  const code = text.charCodeAt(units - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? units - 1 : units);
}

// eslint-disable-next-line no-control-regex
const JOLIET_FORBIDDEN = /[\u0000-\u001f*/:;?\\]/g;

/**
 * Joliet identifiers for the names of one directory: forbidden characters become "_", long
 * names are cut to 64 units. Names Joliet can hold as they are keep them; the others get
 * "~N" suffixes where they would clash.
 */
export function jolietIdentifiers(names: { name: string }[]): Buffer[] {
  const clean = names.map(({ name }) => name.replace(JOLIET_FORBIDDEN, '_'));
  const verbatim = names.map(({ name }, i) => clean[i] === name && name.length <= JOLIET_MAX_UNITS);
  const taken = new Set(names.filter((_, i) => verbatim[i]).map(({ name }) => name));
  return names.map(({ name }, i) => {
    if (verbatim[i]) return ucs2be(name);
    const id = firstFree(taken, (n) => {
      const suffix = n === 0 ? '' : `~${n}`;
      return cutUnits(clean[i]!, JOLIET_MAX_UNITS - suffix.length) + suffix;
    });
    return ucs2be(id);
  });
}
