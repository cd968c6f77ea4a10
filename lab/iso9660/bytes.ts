/** ECMA-119 numeric and text field encoders (section 7), all writing into a caller's buffer. */

export const SECTOR = 2048;

/** 7.2.3: a 16-bit number, little-endian then big-endian. */
export function putBoth16(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt16LE(value, offset);
  buf.writeUInt16BE(value, offset + 2);
}

/** 7.3.3: a 32-bit number, little-endian then big-endian. */
export function putBoth32(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt32LE(value, offset);
  buf.writeUInt32BE(value, offset + 4);
}

/** A both-endian 32-bit number as its own 8-byte buffer (SUSP fields). */
export function both32(value: number): Buffer {
  const buf = Buffer.alloc(8);
  putBoth32(buf, 0, value);
  return buf;
}

/** A text field padded with spaces (a- and d-characters). */
export function putText(buf: Buffer, offset: number, length: number, text: string): void {
  buf.fill(0x20, offset, offset + length);
  buf.write(text.slice(0, length), offset, 'latin1');
}

/** UCS-2 big-endian, as Joliet stores names and identifiers. */
export function ucs2be(text: string): Buffer {
  const buf = Buffer.from(text, 'utf16le');
  buf.swap16();
  return buf;
}

/** A Joliet text field: UCS-2 big-endian, padded with UCS-2 spaces. */
export function putUcs2Text(buf: Buffer, offset: number, length: number, text: string): void {
  for (let i = offset; i + 1 < offset + length; i += 2) buf.writeUInt16BE(0x0020, i);
  ucs2be(text.slice(0, Math.floor(length / 2))).copy(buf, offset);
}

/** 9.1.5: seven bytes, years since 1900 … seconds, then the offset from GMT (always 0 here). */
export function recordDate(date: Date): Buffer {
  return Buffer.from([
    date.getUTCFullYear() - 1900,
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    0,
  ]);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** 8.4.26.1: "YYYYMMDDHHMMSScc" and a GMT offset byte; undefined means "not specified". */
export function putVolumeDate(buf: Buffer, offset: number, date: Date | undefined): void {
  if (!date) {
    buf.write('0'.repeat(16), offset, 'latin1');
    buf[offset + 16] = 0;
    return;
  }
  const text =
    String(date.getUTCFullYear()).padStart(4, '0') +
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds()) +
    '00';
  buf.write(text, offset, 'latin1');
  buf[offset + 16] = 0;
}

export function sectorsFor(bytes: number): number {
  return Math.ceil(bytes / SECTOR);
}
