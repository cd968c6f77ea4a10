/** Directory records (ECMA-119 9.1) and how they fill the sectors of a directory (6.8.1.1). */
import { SECTOR, putBoth16, putBoth32, recordDate } from './bytes.js';

export interface RecordFields {
  extent: number;
  size: number;
  isDir: boolean;
  date: Date;
  /** File identifier: 0x00 for ".", 0x01 for "..". */
  id: Buffer;
  systemUse: Buffer;
}

const FIXED = 33;
/** A record's length is one byte; we keep it even. */
export const MAX_RECORD = 254;

/** The bytes before the System Use field: fixed part, identifier, padding to an even offset. */
export function headerLength(idLength: number): number {
  return FIXED + idLength + (idLength % 2 === 0 ? 1 : 0);
}

export function recordLength(idLength: number, systemUseLength: number): number {
  const length = headerLength(idLength) + systemUseLength;
  return length + (length % 2);
}

export function directoryRecord(f: RecordFields): Buffer {
  const length = recordLength(f.id.length, f.systemUse.length);
  const buf = Buffer.alloc(length);
  buf[0] = length;
  putBoth32(buf, 2, f.extent);
  putBoth32(buf, 10, f.size);
  recordDate(f.date).copy(buf, 18);
  buf[25] = f.isDir ? 0x02 : 0x00;
  putBoth16(buf, 28, 1);
  buf[32] = f.id.length;
  f.id.copy(buf, 33);
  f.systemUse.copy(buf, headerLength(f.id.length));
  return buf;
}

/** Offsets of records in a directory extent: a record never crosses a sector boundary. */
export function packRecords(lengths: number[]): { offsets: number[]; bytes: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const length of lengths) {
    if (Math.floor(at / SECTOR) !== Math.floor((at + length - 1) / SECTOR)) at = Math.ceil(at / SECTOR) * SECTOR;
    offsets.push(at);
    at += length;
  }
  return { offsets, bytes: Math.max(SECTOR, Math.ceil(at / SECTOR) * SECTOR) };
}
