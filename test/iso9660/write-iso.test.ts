import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomlabError } from '../../lab/errors/index.js';
import { writeIso, type IsoTree } from '../../lab/iso9660/index.js';
import { assertJudged, judgeImage } from '../fixtures/iso-check.js';
import { isoinfoSummary } from '../fixtures/iso-judges.js';

const timestamp = new Date('2024-05-06T07:08:09Z');
const text = (content: string) => ({ kind: 'file' as const, content });

async function workdir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'atomlab-iso-test-'));
}

test('a seed: isoinfo -d shows the volume id, Joliet and Rock Ridge; all judges agree', async (t) => {
  const dir = await workdir();
  const iso = join(dir, 'seed.iso');
  const tree: IsoTree = {
    'user-data': text('#cloud-config\nhostname: h1\n'),
    'meta-data': text('instance-id: iid-1\nlocal-hostname: h1\n'),
    'network-config': text('version: 2\n'),
    'vendor-data': text(''),
  };
  await writeIso(iso, tree, { timestamp });
  const summary = await isoinfoSummary(iso);
  t.regex(summary, /^Volume id: cidata$/m);
  t.regex(summary, /^Joliet with UCS level 3 found$/m);
  t.regex(summary, /^Rock Ridge signatures version 1 found$/m);
  assertJudged(t, await judgeImage(iso, tree));
  await rm(dir, { recursive: true });
});

test('volume id config-2 with a config-drive layout', async (t) => {
  const dir = await workdir();
  const iso = join(dir, 'config-drive.iso');
  const latest = { 'meta_data.json': text('{"uuid": "x"}'), user_data: text('#cloud-config\n') };
  const tree: IsoTree = { openstack: { kind: 'dir', entries: { latest: { kind: 'dir', entries: latest } } } };
  await writeIso(iso, tree, { volumeId: 'config-2', timestamp });
  t.regex(await isoinfoSummary(iso), /^Volume id: config-2$/m);
  assertJudged(t, await judgeImage(iso, tree));
  await rm(dir, { recursive: true });
});

function deepTree(depth: number): IsoTree {
  const leaf: IsoTree = { 'bottom.txt': text(`depth ${depth}\n`) };
  return depth === 0 ? leaf : { [`level-${depth}`]: { kind: 'dir', entries: deepTree(depth - 1) }, ...leaf };
}

test('deep nesting, 255-byte names, non-ASCII, empty and 5 MiB files, crowded directories', async (t) => {
  const dir = await workdir();
  const big = join(dir, 'big.bin');
  await writeFile(big, randomBytes(5 * 1024 * 1024 + 123));
  const crowded: IsoTree = {};
  for (let i = 0; i < 300; i += 1) crowded[`same-prefix-file-${i}.config.yaml`] = text(`${i}\n`);
  const tree: IsoTree = {
    deep: { kind: 'dir', entries: deepTree(11) },
    ['n'.repeat(255)]: text('ascii 255\n'),
    ['ü'.repeat(127)]: text('254 bytes of UTF-8\n'),
    ['😀'.repeat(63)]: text('surrogate pairs\n'),
    'ünïcødé ☃ name.txt': text('non-ascii\n'),
    'odd: *?;\\ chars': text('joliet forbids these\n'),
    empty: text(''),
    'big.bin': { kind: 'file', path: big },
    crowded: { kind: 'dir', entries: crowded },
    'empty-dir': { kind: 'dir', entries: {} },
  };
  const iso = join(dir, 'tree.iso');
  const summary = await writeIso(iso, tree, { timestamp });
  t.is(summary.bytes, (await stat(iso)).size);
  assertJudged(t, await judgeImage(iso, tree));
  await rm(dir, { recursive: true });
});

const AWKWARD_NAMES = ['a\\b', "it's", 'x.', 'dots...', '.hidden', ' lead', 'trail ', '\u00a0nbsp', 'a\u2028b',
  '\ufeffbom', 'e\u0301', 'é', '👨‍👩‍👧', 'ab;1', 'AB', 'ab', '-', '~', '$HOME', '`x`', '"q"', 'a  b', '\u00ad', 'ÿ', 'Ā', '\u200b'];

test('awkward names (quotes, separators, combining marks, case twins, version-like) survive every judge', async (t) => {
  const dir = await workdir();
  const files: IsoTree = Object.fromEntries(AWKWARD_NAMES.map((name, i) => [name, text(`${i}`)]));
  const dirs: IsoTree = Object.fromEntries(AWKWARD_NAMES.map((name) => [name, { kind: 'dir', entries: { inside: text(name) } }]));
  const tree: IsoTree = { ...files, sub: { kind: 'dir', entries: dirs } };
  await writeIso(join(dir, 'names.iso'), tree, { timestamp });
  assertJudged(t, await judgeImage(join(dir, 'names.iso'), tree));
  await rm(dir, { recursive: true });
});

test('same input and timestamp give the same bytes; SOURCE_DATE_EPOCH is honoured', async (t) => {
  const dir = await workdir();
  const tree: IsoTree = { a: text('a'), b: { kind: 'dir', entries: { ['c'.repeat(200)]: text('c') } } };
  await writeIso(join(dir, '1.iso'), tree, { timestamp });
  await writeIso(join(dir, '2.iso'), tree, { timestamp });
  process.env.SOURCE_DATE_EPOCH = String(timestamp.getTime() / 1000);
  try {
    await writeIso(join(dir, '3.iso'), tree);
  } finally {
    delete process.env.SOURCE_DATE_EPOCH;
  }
  await writeIso(join(dir, '4.iso'), tree, { timestamp: new Date('2025-01-01T00:00:00Z') });
  const [one, two, three, four] = await Promise.all(['1', '2', '3', '4'].map((n) => readFile(join(dir, `${n}.iso`))));
  t.true(one!.equals(two!));
  t.true(one!.equals(three!));
  t.false(one!.equals(four!));
  await rm(dir, { recursive: true });
});

test('the image mode is an option (0600 for seeds with secrets)', async (t) => {
  const dir = await workdir();
  await writeIso(join(dir, 's.iso'), { a: text('secret') }, { mode: 0o600 });
  t.is((await stat(join(dir, 's.iso'))).mode & 0o777, 0o600);
  await rm(dir, { recursive: true });
});

const badInputs: [string, IsoTree, { volumeId?: string }][] = [
  ['a name with a slash', { 'a/b': text('') }, {}],
  ['a name of 256 bytes', { ['x'.repeat(256)]: text('') }, {}],
  ['a missing source file', { a: { kind: 'file', path: '/nonexistent/atomlab-test' } }, {}],
  ['a bad volume id', { a: text('') }, { volumeId: 'no/slashes' }],
];

for (const [what, tree, options] of badInputs) {
  test(`bad input (${what}) is a BAD_INPUT error and leaves no file behind`, async (t) => {
    const dir = await workdir();
    const error = await t.throwsAsync(writeIso(join(dir, 'x.iso'), tree, options), { instanceOf: AtomlabError });
    t.is(error?.code, 'BAD_INPUT');
    t.deepEqual(await readdir(dir), []);
    await rm(dir, { recursive: true });
  });
}

test('a file over 4 GiB - 1 is refused before anything is written', async (t) => {
  const dir = await workdir();
  const huge = join(dir, 'huge.bin');
  await writeFile(huge, '');
  await truncate(huge, 2 ** 32); // sparse
  const error = await t.throwsAsync(writeIso(join(dir, 'x.iso'), { huge: { kind: 'file', path: huge } }), {
    instanceOf: AtomlabError,
  });
  t.regex(error?.message ?? '', /4 GiB/);
  t.deepEqual(await readdir(dir), ['huge.bin']);
  await rm(dir, { recursive: true });
});

test('an output path in a missing directory is a BAD_INPUT error', async (t) => {
  const error = await t.throwsAsync(writeIso('/nonexistent-atomlab/x.iso', { a: text('') }), { instanceOf: AtomlabError });
  t.is(error?.code, 'BAD_INPUT');
});
