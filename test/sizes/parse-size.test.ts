import test from 'ava';
import fc from 'fast-check';
import { formatSize, parseSize } from '../../lab/sizes/index.js';

test('sizes use binary units and count bare numbers as MiB', (t) => {
  t.is(parseSize(512), 512 * 1024 ** 2);
  t.is(parseSize('512'), 512 * 1024 ** 2);
  t.is(parseSize('512M'), 512 * 1024 ** 2);
  t.is(parseSize('512MiB'), 512 * 1024 ** 2);
  t.is(parseSize('1GiB'), 1024 ** 3);
  t.is(parseSize('1.5G'), 1.5 * 1024 ** 3);
  t.is(parseSize('20GB'), 20 * 1024 ** 3);
  t.is(parseSize('1 TiB'), 1024 ** 4);
  t.is(parseSize('4096B'), 4096);
  t.is(parseSize('64k'), 64 * 1024);
});

test('a malformed size is refused with an example', (t) => {
  t.throws(() => parseSize('ten gigs'), { message: /not a size: "ten gigs" \(write e\.g\. 512MiB or 2GiB\)/ });
  t.throws(() => parseSize('-1G'));
});

test('formatting then parsing a whole number of MiB gives it back', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1024 * 1024 }), (mib) => {
      const bytes = mib * 1024 ** 2;
      const text = formatSize(bytes).replace(' ', '');
      return Math.abs(parseSize(text) - bytes) <= 0.05 * 1024 ** (text.endsWith('TiB') ? 4 : text.endsWith('GiB') ? 3 : 2);
    }),
  );
  t.pass();
});
