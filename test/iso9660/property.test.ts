import test from 'ava';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeIso, type IsoTree } from '../../lab/iso9660/index.js';
import { checkJudged, judgeImage } from '../fixtures/iso-check.js';
import { propertyParameters } from '../helpers/property.js';

/** A generated file: its size, a seed for its bytes, and whether it is streamed from a path. */
interface FileSpec {
  kind: 'file';
  size: number;
  seed: number;
  fromPath: boolean;
}
interface DirSpec {
  kind: 'dir';
  entries: Record<string, FileSpec | DirSpec>;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f/]/;
const usable = (name: string): boolean =>
  name !== '.' && name !== '..' && name !== '__proto__' && !CONTROL.test(name) &&
  Buffer.from(name).toString() === name && Buffer.byteLength(name) <= 255;

const shortAscii = fc.string({ unit: fc.constantFrom(...'abcxyzABC019-_. ~+,=@\'"'), minLength: 1, maxLength: 14 });
const unicode = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
const long = fc.string({ unit: fc.constantFrom('a', 'Z', '.', '-', 'é', 'ß', '☃', '中', '😀'), minLength: 60, maxLength: 140 });
const name = fc.oneof(shortAscii, unicode, long).filter(usable);

const size = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 5000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2047, max: 2049 }) },
  { weight: 1, arbitrary: fc.integer({ min: 5001, max: 300_000 }) },
);
const file: fc.Arbitrary<FileSpec> = fc.record({ kind: fc.constant('file' as const), size, seed: fc.nat(), fromPath: fc.boolean() });

const { dir } = fc.letrec<{ dir: DirSpec; node: FileSpec | DirSpec }>((tie) => ({
  dir: fc.record({ kind: fc.constant('dir' as const), entries: fc.dictionary(name, tie('node'), { maxKeys: 6 }) }),
  node: fc.oneof({ depthSize: 'small', maxDepth: 5 }, file, tie('dir')),
}));

function bytes(spec: FileSpec): Buffer {
  const out = Buffer.alloc(spec.size);
  for (let i = 0; i < out.length; i += 1) out[i] = (spec.seed + i * 31 + (i >> 8)) & 0xff;
  return out;
}

/** Turns a generated tree into an IsoTree, writing the path-backed files into `dir`. */
async function materialize(spec: DirSpec, dir: string, counter = { n: 0 }): Promise<IsoTree> {
  const tree: IsoTree = {};
  for (const [key, node] of Object.entries(spec.entries)) {
    if (node.kind === 'dir') {
      tree[key] = { kind: 'dir', entries: await materialize(node, dir, counter) };
    } else if (node.fromPath) {
      const path = join(dir, `source-${(counter.n += 1)}`);
      await writeFile(path, bytes(node));
      tree[key] = { kind: 'file', path };
    } else {
      tree[key] = { kind: 'file', content: bytes(node) };
    }
  }
  return tree;
}

test('random trees: isoinfo -R/-J, xorriso -find and xorriso extraction agree with the input', async (t) => {
  await fc.assert(
    fc.asyncProperty(dir, async (spec) => {
      const work = await mkdtemp(join(tmpdir(), 'atomlab-iso-prop-'));
      try {
        const tree = await materialize(spec, work);
        const iso = join(work, 'image.iso');
        await writeIso(iso, tree, { timestamp: new Date('2020-02-29T12:00:00Z') });
        const judged = await judgeImage(iso, tree);
        try {
          checkJudged(judged);
        } catch (error) {
          t.log((error as Error).message.slice(0, 4000));
          throw error;
        }
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }),
    propertyParameters(30),
  );
  t.pass();
});
