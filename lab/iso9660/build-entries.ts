import { stat } from 'node:fs/promises';
import { AtomlabError } from '../errors/index.js';
import { jolietIdentifiers, primaryIdentifiers, validateName } from './names.js';
import { DEFAULT_DIR_MODE, DEFAULT_FILE_MODE, type DataSource, type Entry, type IsoNode, type IsoTree } from './tree.js';

/** One ISO 9660 extent holds at most 4 GiB - 1 bytes (multi-extent files are not written). */
export const MAX_FILE_SIZE = 0xffffffff;

function newEntry(name: string, parent: Entry | undefined, node: IsoNode | undefined): Entry {
  const isDir = node === undefined || node.kind === 'dir';
  return {
    name,
    nameBytes: parent ? validateName(name, pathOf(parent)) : Buffer.alloc(0),
    parent,
    children: isDir ? [] : undefined,
    mode: node?.mode ?? (isDir ? DEFAULT_DIR_MODE : DEFAULT_FILE_MODE),
    size: 0,
    source: undefined,
    isoId: Buffer.alloc(0),
    jolietId: Buffer.alloc(0),
    dataExtent: 0,
  };
}

/** The slash-separated path of an entry, for messages. */
export function pathOf(entry: Entry): string {
  return entry.parent ? `${pathOf(entry.parent).replace(/\/$/, '')}/${entry.name}` : '/';
}

async function sourceOf(node: IsoNode, where: string): Promise<{ source: DataSource; size: number }> {
  if (node.kind !== 'file') throw new Error('unreachable');
  if ('content' in node) {
    const data = typeof node.content === 'string' ? Buffer.from(node.content, 'utf8') : node.content;
    return { source: { data }, size: data.length };
  }
  const info = await stat(node.path).catch((cause: unknown) => {
    throw new AtomlabError(`cannot read ${node.path} (for ${where}): ${(cause as Error).message}`, {
      code: 'BAD_INPUT',
      hint: 'check that the file exists and is readable',
      context: { file: node.path },
      cause,
    });
  });
  if (!info.isFile()) {
    throw new AtomlabError(`${node.path} (for ${where}) is not a regular file`, { code: 'BAD_INPUT', context: { file: node.path } });
  }
  return { source: { path: node.path }, size: info.size };
}

function checkSize(entry: Entry): void {
  if (entry.size > MAX_FILE_SIZE) {
    throw new AtomlabError(`${pathOf(entry)} is ${entry.size} bytes; an ISO 9660 file holds at most 4 GiB - 1`, {
      code: 'BAD_INPUT',
      hint: 'split the file or use a disk image instead of a seed ISO',
    });
  }
}

async function addChildren(dir: Entry, tree: IsoTree): Promise<void> {
  const names = Object.keys(tree).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const kids: { name: string; isDir: boolean }[] = [];
  for (const name of names) {
    const node = tree[name]!;
    const child = newEntry(name, dir, node);
    if (node.kind === 'dir') {
      await addChildren(child, node.entries);
    } else {
      Object.assign(child, await sourceOf(node, pathOf(child)));
      checkSize(child);
    }
    dir.children!.push(child);
    kids.push({ name, isDir: node.kind === 'dir' });
  }
  const isoIds = primaryIdentifiers(kids);
  const jolietIds = jolietIdentifiers(kids);
  dir.children!.forEach((child, i) => {
    child.isoId = isoIds[i]!;
    child.jolietId = jolietIds[i]!;
  });
}

/** Validates a tree and turns it into entries with identifiers and sizes (files are stat'ed). */
export async function buildEntries(tree: IsoTree): Promise<Entry> {
  const root = newEntry('', undefined, undefined);
  root.isoId = Buffer.from([0]);
  root.jolietId = Buffer.from([0]);
  await addChildren(root, tree);
  return root;
}
