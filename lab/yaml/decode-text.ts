import { isUtf8 } from 'node:buffer';
import { InvalidFileError } from '../errors/index.js';

/** The length of the UTF-8 sequence a lead byte starts, or 0 for a byte that cannot lead one. */
function sequenceLength(byte: number): number {
  if (byte < 0x80) return 1;
  if (byte >= 0xc2 && byte < 0xe0) return 2;
  if (byte >= 0xe0 && byte < 0xf0) return 3;
  return byte >= 0xf0 && byte < 0xf5 ? 4 : 0;
}

/** The offset of the first byte that is not part of valid UTF-8. */
function firstInvalidUtf8(bytes: Buffer): number {
  let offset = 0;
  while (offset < bytes.length) {
    const length = sequenceLength(bytes[offset]!);
    if (length === 0 || !isUtf8(bytes.subarray(offset, offset + length))) return offset;
    offset += length;
  }
  return offset;
}

/** 1-based line and column (in characters) of a byte offset. */
function bytePosition(bytes: Buffer, offset: number): { line: number; col: number } {
  const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let at = 0; at < lineStart; at++) if (bytes[at] === 0x0a) line++;
  return { line, col: bytes.subarray(lineStart, offset).toString('utf8').length + 1 };
}

function problemAtByte(file: string, bytes: Buffer, offset: number, message: string): InvalidFileError {
  return new InvalidFileError([{ file, ...bytePosition(bytes, offset), message }]);
}

/**
 * The text of a YAML file: UTF-8 (a byte order mark is dropped). A UTF-16 file, a NUL byte or
 * bytes that are not UTF-8 are refused at the first place they occur.
 */
export function decodeText(file: string, bytes: Buffer): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw problemAtByte(file, bytes, 0, 'is UTF-16 text: save it as UTF-8');
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw problemAtByte(file, bytes, nul, 'holds a NUL byte: a binary file, not YAML text');
  if (!isUtf8(bytes)) throw problemAtByte(file, bytes, firstInvalidUtf8(bytes), 'is not UTF-8 text: this byte is not part of a UTF-8 character');
  return new TextDecoder('utf-8').decode(bytes);
}
