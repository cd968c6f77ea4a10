import test from 'ava';
import fc from 'fast-check';
import { detectCompression, digestFromChecksumFile } from '../../lab/images/index.js';

const hex64 = 'a'.repeat(64);
const hex128 = 'b'.repeat(128);

test('reads Fedora and GNU lines, binary marker, CRLF, and prefers sha512', (t) => {
  t.deepEqual(digestFromChecksumFile(`SHA256 (f.raw.xz) = ${hex64.toUpperCase()}\r\n`, 'f.raw.xz'), { algorithm: 'sha256', hex: hex64 });
  t.deepEqual(digestFromChecksumFile(`${hex64} *f.raw.xz\n`, 'f.raw.xz'), { algorithm: 'sha256', hex: hex64 });
  t.deepEqual(digestFromChecksumFile(`${hex64}  ./f.raw.xz\n${hex128}  f.raw.xz\n`, 'f.raw.xz'), { algorithm: 'sha512', hex: hex128 });
});

test('a file without the name is an error naming the image', (t) => {
  t.throws(() => digestFromChecksumFile(`${hex64}  other.raw.xz\n`, 'f.raw.xz', 'CHECKSUM'), { message: 'CHECKSUM has no checksum for f.raw.xz' });
});

test('names with spaces and odd characters round-trip in both formats', (t) => {
  fc.assert(
    fc.property(fc.stringMatching(/^[\w .()+-]{1,40}$/).filter((name) => name.trim() === name), (name) => {
      const fedora = digestFromChecksumFile(`SHA256 (${name}) = ${hex64}\n`, name);
      const gnu = digestFromChecksumFile(`${hex64}  ${name}\n`, name);
      return fedora.hex === hex64 && gnu.hex === hex64;
    }),
  );
  t.pass();
});

test('compression is recognized by magic bytes only', (t) => {
  t.is(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), 'xz');
  t.is(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0])), 'zstd');
  t.is(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0])), 'gzip');
  t.is(detectCompression(Buffer.from('BZh91A')), 'bzip2');
  t.is(detectCompression(Buffer.from('QFI\xfb\0\0', 'latin1')), 'none');
  t.is(detectCompression(Buffer.alloc(0)), 'none');
});
