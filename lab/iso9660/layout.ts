/** Where every directory, continuation area and file goes, decided before a byte is written. */
import { AtomlabError } from '../errors/index.js';
import { SECTOR, sectorsFor } from './bytes.js';
import { packRecords, recordLength } from './directory-records.js';
import { primaryId, rockRidge, type RecordRef } from './rock-ridge.js';
import { CE_LENGTH } from './susp.js';
import { isDirectory, type Entry } from './tree.js';

export type TreeKind = 'primary' | 'joliet';

export interface TreeLayout {
  kind: TreeKind;
  /** Directories in path-table order: by level, then parent number, then identifier. */
  dirs: Entry[];
  /** Children of each directory, sorted by this tree's identifiers. */
  children: Map<Entry, Entry[]>;
  extent: Map<Entry, number>;
  bytes: Map<Entry, number>;
  pathTableBytes: number;
  /** Sectors of the little-endian (L) and big-endian (M) path tables. */
  lTable: number;
  mTable: number;
}

export interface Continuation {
  block: number;
  offset: number;
  length: number;
}

export interface Layout {
  root: Entry;
  date: Date;
  primary: TreeLayout;
  joliet: TreeLayout;
  /** Continuation areas, keyed by the entry whose record overflowed. */
  continuations: Map<Entry, Continuation>;
  /** Files in the order their data is written. */
  files: Entry[];
  /** First sector of file data: everything before it is metadata. */
  dataStart: number;
  totalSectors: number;
}

/** 16 system-area sectors, then the primary, Joliet and terminator descriptors. */
const FIRST_FREE_SECTOR = 19;

const idOf = (kind: TreeKind, e: Entry): Buffer => (kind === 'primary' ? e.isoId : e.jolietId);

/** ECMA-119 9.3 orders by name then extension, each padded with spaces. */
function primaryKey(e: Entry): string {
  const [base = '', ext = ''] = e.isoId.toString('latin1').replace(/;1$/, '').split('.');
  return `${base.padEnd(8)}.${ext.padEnd(3)}`;
}

function sortedChildren(kind: TreeKind, dir: Entry & { children: Entry[] }): Entry[] {
  const order = [...dir.children];
  if (kind === 'primary') return order.sort((a, b) => (primaryKey(a) < primaryKey(b) ? -1 : 1));
  return order.sort((a, b) => Buffer.compare(a.jolietId, b.jolietId));
}

/** Breadth-first with sorted children gives the path-table order. */
function treeOrder(kind: TreeKind, root: Entry): Pick<TreeLayout, 'dirs' | 'children'> {
  const dirs: Entry[] = [root];
  const children = new Map<Entry, Entry[]>();
  for (let i = 0; i < dirs.length; i += 1) {
    const dir = dirs[i]!;
    if (!isDirectory(dir)) continue;
    const sorted = sortedChildren(kind, dir);
    children.set(dir, sorted);
    dirs.push(...sorted.filter(isDirectory));
  }
  return { dirs, children };
}

export function pathTableRecordLength(idLength: number): number {
  return 8 + idLength + (idLength % 2);
}

/** The records of one directory: ".", "..", then the children. */
export function recordRefs(tree: Pick<TreeLayout, 'children'>, dir: Entry): RecordRef[] {
  const kids = tree.children.get(dir) ?? [];
  return [
    { role: 'self', target: dir },
    { role: 'parent', target: dir.parent ?? dir },
    ...kids.map((target): RecordRef => ({ role: 'child', target })),
  ];
}

/** The length of each record; Rock Ridge overflow is reported to `onOverflow`. */
function recordLengths(tree: TreeLayout, dir: Entry, date: Date, onOverflow: (e: Entry, n: number) => void): number[] {
  return recordRefs(tree, dir).map((ref) => {
    if (tree.kind === 'joliet') return recordLength(ref.role === 'child' ? ref.target.jolietId.length : 1, 0);
    const use = rockRidge(ref, date);
    const inline = use.inline.reduce((sum, b) => sum + b.length, 0);
    if (use.overflow) onOverflow(ref.target, use.overflow.length);
    return recordLength(primaryId(ref).length, inline + (use.overflow ? CE_LENGTH : 0));
  });
}

/** Path tables number directories with 16 bits. */
const MAX_DIRECTORIES = 0xffff;

function startTree(kind: TreeKind, root: Entry): TreeLayout {
  const order = treeOrder(kind, root);
  if (order.dirs.length > MAX_DIRECTORIES) {
    throw new AtomlabError(`${order.dirs.length} directories: an ISO 9660 path table numbers at most ${MAX_DIRECTORIES}`, {
      code: 'BAD_INPUT',
    });
  }
  const pathTableBytes = order.dirs.reduce((sum, d) => sum + pathTableRecordLength(idOf(kind, d).length), 0);
  return { kind, ...order, extent: new Map(), bytes: new Map(), pathTableBytes, lTable: 0, mTable: 0 };
}

/** Gives each path table its sectors, starting at `next`; returns the next free sector. */
function placePathTables(tree: TreeLayout, next: number): number {
  tree.lTable = next;
  tree.mTable = next + sectorsFor(tree.pathTableBytes);
  return tree.mTable + sectorsFor(tree.pathTableBytes);
}

function placeDirectories(tree: TreeLayout, next: number, date: Date, onOverflow: (e: Entry, n: number) => void): number {
  for (const dir of tree.dirs) {
    const { bytes } = packRecords(recordLengths(tree, dir, date, onOverflow));
    tree.extent.set(dir, next);
    tree.bytes.set(dir, bytes);
    next += bytes / SECTOR;
  }
  return next;
}

/** Packs continuation areas into whole sectors (Linux reads each from one block). */
function placeContinuations(overflows: [Entry, number][], next: number): [Map<Entry, Continuation>, number] {
  const placed = new Map<Entry, Continuation>();
  let block = next;
  let offset = 0;
  for (const [entry, length] of overflows) {
    if (offset + length > SECTOR) [block, offset] = [block + 1, 0];
    placed.set(entry, { block, offset, length });
    offset += length;
  }
  return [placed, overflows.length === 0 ? next : block + 1];
}

function filesInOrder(tree: TreeLayout): Entry[] {
  return tree.dirs.flatMap((dir) => (tree.children.get(dir) ?? []).filter((e) => !isDirectory(e)));
}

/** Empty files point at sector 0 with length 0, as nothing is read from them. */
function placeFiles(files: Entry[], next: number): number {
  for (const file of files) {
    file.dataExtent = file.size === 0 ? 0 : next;
    next += sectorsFor(file.size);
  }
  return next;
}

/**
 * Zero sectors after the last file, as genisoimage and xorriso add by default: Linux's CD-ROM
 * read-ahead past the end of a small image fails with I/O errors, and a guest's blkid/findfs
 * then cannot read the label (a 28-sector seed was not found by busybox findfs).
 */
export const TRAILING_PAD_SECTORS = 150;

export function planLayout(root: Entry, date: Date): Layout {
  const primary = startTree('primary', root);
  const joliet = startTree('joliet', root);
  let next = placePathTables(joliet, placePathTables(primary, FIRST_FREE_SECTOR));
  const overflows: [Entry, number][] = [];
  next = placeDirectories(primary, next, date, (e, n) => overflows.push([e, n]));
  next = placeDirectories(joliet, next, date, () => undefined);
  const [continuations, dataStart] = placeContinuations(overflows, next);
  const files = filesInOrder(primary);
  const totalSectors = placeFiles(files, dataStart) + TRAILING_PAD_SECTORS;
  return { root, date, primary, joliet, continuations, files, dataStart, totalSectors };
}
