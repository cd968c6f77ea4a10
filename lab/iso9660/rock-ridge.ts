/** Which SUSP/Rock Ridge entries each directory record of the primary tree carries. */
import { MAX_RECORD, headerLength } from './directory-records.js';
import { CE_LENGTH, RR_NM, RR_PX, RR_TF, er, nm, px, rr, sp, tf } from './susp.js';
import { S_IFDIR, S_IFREG, isDirectory, type Entry } from './tree.js';

export type RecordRole = 'self' | 'parent' | 'child';

export interface RecordRef {
  role: RecordRole;
  /** The entry the record describes (for "..", the parent directory). */
  target: Entry;
}

/** Entries that fit in the record, and those that go to a continuation area. */
export interface SystemUse {
  inline: Buffer[];
  overflow: Buffer | undefined;
}

function linkCount(entry: Entry): number {
  if (!isDirectory(entry)) return 1;
  return 2 + entry.children.filter(isDirectory).length;
}

function posix(entry: Entry): Buffer {
  const type = isDirectory(entry) ? S_IFDIR : S_IFREG;
  return px({ mode: type | (entry.mode & 0o7777), links: linkCount(entry), uid: 0, gid: 0 });
}

const total = (parts: Buffer[]): number => parts.reduce((sum, part) => sum + part.length, 0);

/** The records' identifier: 1 byte for "." and "..", else the level-1 name. */
export function primaryId(ref: RecordRef): Buffer {
  if (ref.role === 'child') return ref.target.isoId;
  return Buffer.from([ref.role === 'self' ? 0 : 1]);
}

/**
 * Rock Ridge for one record. The root's "." starts with SP and names the extension (ER, in a
 * continuation area); a named record carries its POSIX name (NM), moved to a continuation area
 * when the record would pass 255 bytes.
 */
export function rockRidge(ref: RecordRef, date: Date): SystemUse {
  const isRootSelf = ref.role === 'self' && ref.target.parent === undefined;
  const names = ref.role === 'child' ? nm(ref.target.nameBytes) : [];
  const flags = RR_PX | RR_TF | (names.length > 0 ? RR_NM : 0);
  const fixed = [...(isRootSelf ? [sp()] : []), rr(flags), posix(ref.target), tf(date)];
  if (isRootSelf) return { inline: fixed, overflow: er() };
  const room = MAX_RECORD - headerLength(primaryId(ref).length);
  if (total(fixed) + total(names) <= room) return { inline: [...fixed, ...names], overflow: undefined };
  if (total(fixed) + CE_LENGTH > room) throw new Error('directory record too long for its fixed entries');
  return { inline: fixed, overflow: Buffer.concat(names) };
}
