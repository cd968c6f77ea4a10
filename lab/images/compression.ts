export type Compression = 'xz' | 'gzip' | 'bzip2' | 'zstd' | 'none';

/** Enough leading bytes to recognize every supported compression. */
export const MAGIC_LENGTH = 6;

const MAGICS: Array<[Exclude<Compression, 'none'>, number[]]> = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
];

/** Compression of a stream, from its first bytes (never from a file name). */
export function detectCompression(head: Uint8Array): Compression {
  for (const [kind, magic] of MAGICS) {
    if (magic.every((byte, index) => head[index] === byte)) return kind;
  }
  return 'none';
}
