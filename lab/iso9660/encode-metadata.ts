/** Everything before the file data, as one buffer: descriptors, path tables, directories. */
import { SECTOR } from './bytes.js';
import { directoryRecord, packRecords } from './directory-records.js';
import { recordRefs, type Layout, type TreeLayout } from './layout.js';
import { primaryId, rockRidge, type RecordRef } from './rock-ridge.js';
import { ce } from './susp.js';
import { isDirectory } from './tree.js';
import { pathTable, terminator, volumeDescriptor, type Identifiers } from './volume-descriptors.js';

function systemUse(layout: Layout, tree: TreeLayout, ref: RecordRef): Buffer {
  if (tree.kind === 'joliet') return Buffer.alloc(0);
  const use = rockRidge(ref, layout.date);
  if (!use.overflow) return Buffer.concat(use.inline);
  const area = layout.continuations.get(ref.target)!;
  return Buffer.concat([...use.inline, ce(area.block, area.offset, area.length)]);
}

function encodeRecord(layout: Layout, tree: TreeLayout, ref: RecordRef): Buffer {
  const dir = isDirectory(ref.target);
  const joliet = tree.kind === 'joliet';
  return directoryRecord({
    extent: dir ? tree.extent.get(ref.target)! : ref.target.dataExtent,
    size: dir ? tree.bytes.get(ref.target)! : ref.target.size,
    isDir: dir,
    date: layout.date,
    id: joliet && ref.role === 'child' ? ref.target.jolietId : primaryId(ref),
    systemUse: systemUse(layout, tree, ref),
  });
}

function writeDirectories(out: Buffer, layout: Layout, tree: TreeLayout): void {
  for (const dir of tree.dirs) {
    const records = recordRefs(tree, dir).map((ref) => encodeRecord(layout, tree, ref));
    const { offsets } = packRecords(records.map((r) => r.length));
    const base = tree.extent.get(dir)! * SECTOR;
    records.forEach((record, i) => record.copy(out, base + offsets[i]!));
  }
}

function writeContinuations(out: Buffer, layout: Layout): void {
  for (const dir of layout.primary.dirs) {
    for (const ref of recordRefs(layout.primary, dir)) {
      const use = rockRidge(ref, layout.date);
      const area = layout.continuations.get(ref.target);
      if (use.overflow && area) use.overflow.copy(out, area.block * SECTOR + area.offset);
    }
  }
}

export function encodeMetadata(layout: Layout, ids: Identifiers): Buffer {
  const out = Buffer.alloc(layout.dataStart * SECTOR);
  volumeDescriptor(layout, layout.primary, ids).copy(out, 16 * SECTOR);
  volumeDescriptor(layout, layout.joliet, ids).copy(out, 17 * SECTOR);
  terminator().copy(out, 18 * SECTOR);
  for (const tree of [layout.primary, layout.joliet]) {
    pathTable(tree, 'LE').copy(out, tree.lTable * SECTOR);
    pathTable(tree, 'BE').copy(out, tree.mTable * SECTOR);
    writeDirectories(out, layout, tree);
  }
  writeContinuations(out, layout);
  return out;
}
