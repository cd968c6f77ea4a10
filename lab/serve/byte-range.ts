/** One satisfiable byte range of a file, inclusive at both ends. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * A `Range: bytes=…` header against a file of `size` bytes (RFC 9110 §14): a single range, or
 * undefined to send the whole file (no header, another unit, several ranges), or 'unsatisfiable'
 * (answered with 416).
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return undefined; // an invalid range is ignored: the whole file
  return { start, end };
}
