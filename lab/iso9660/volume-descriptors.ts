/** Volume descriptors (ECMA-119 8.4, 8.5; Joliet) and path tables (9.4). */
import { SECTOR, putBoth16, putBoth32, putText, putUcs2Text, putVolumeDate } from './bytes.js';
import { directoryRecord } from './directory-records.js';
import type { Layout, TreeLayout } from './layout.js';

export interface Identifiers {
  volumeId: string;
  systemId: string;
  applicationId: string;
}

const JOLIET_LEVEL_3 = Buffer.from('%/E', 'latin1');

function header(type: number): Buffer {
  const buf = Buffer.alloc(SECTOR);
  buf[0] = type;
  buf.write('CD001', 1, 'latin1');
  buf[6] = 1;
  return buf;
}

function putRootRecord(buf: Buffer, layout: Layout, tree: TreeLayout): void {
  const root = directoryRecord({
    extent: tree.extent.get(layout.root)!,
    size: tree.bytes.get(layout.root)!,
    isDir: true,
    date: layout.date,
    id: Buffer.from([0]),
    systemUse: Buffer.alloc(0),
  });
  root.copy(buf, 156);
}

/** The primary (type 1) or Joliet supplementary (type 2) volume descriptor. */
export function volumeDescriptor(layout: Layout, tree: TreeLayout, ids: Identifiers): Buffer {
  const joliet = tree.kind === 'joliet';
  const buf = header(joliet ? 2 : 1);
  const text = joliet ? putUcs2Text : putText;
  text(buf, 8, 32, ids.systemId);
  text(buf, 40, 32, ids.volumeId);
  putBoth32(buf, 80, layout.totalSectors);
  if (joliet) JOLIET_LEVEL_3.copy(buf, 88);
  putBoth16(buf, 120, 1);
  putBoth16(buf, 124, 1);
  putBoth16(buf, 128, SECTOR);
  putBoth32(buf, 132, tree.pathTableBytes);
  buf.writeUInt32LE(tree.lTable, 140);
  buf.writeUInt32BE(tree.mTable, 148);
  putRootRecord(buf, layout, tree);
  for (const [offset, length] of [[190, 128], [318, 128], [446, 128], [702, 37], [739, 37], [776, 37]] as const) {
    text(buf, offset, length, '');
  }
  text(buf, 574, 128, ids.applicationId);
  putVolumeDate(buf, 813, layout.date);
  putVolumeDate(buf, 830, layout.date);
  putVolumeDate(buf, 847, undefined);
  putVolumeDate(buf, 864, undefined);
  buf[881] = 1;
  return buf;
}

export function terminator(): Buffer {
  return header(255);
}

/** One path table in the given byte order, padded to whole sectors. */
export function pathTable(tree: TreeLayout, order: 'LE' | 'BE'): Buffer {
  const numbers = new Map(tree.dirs.map((dir, i) => [dir, i + 1]));
  const parts = tree.dirs.map((dir) => {
    const id = tree.kind === 'primary' ? dir.isoId : dir.jolietId;
    const record = Buffer.alloc(8 + id.length + (id.length % 2));
    record[0] = id.length;
    const extent = tree.extent.get(dir)!;
    const parent = numbers.get(dir.parent ?? dir)!;
    if (order === 'LE') {
      record.writeUInt32LE(extent, 2);
      record.writeUInt16LE(parent, 6);
    } else {
      record.writeUInt32BE(extent, 2);
      record.writeUInt16BE(parent, 6);
    }
    id.copy(record, 8);
    return record;
  });
  const table = Buffer.concat(parts);
  return Buffer.concat([table, Buffer.alloc(Math.ceil(table.length / SECTOR) * SECTOR - table.length)]);
}
