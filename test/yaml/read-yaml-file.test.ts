import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem, InvalidFileError } from '../../lab/errors/index.js';
import { MAX_ALIASES, readYamlFile } from '../../lab/yaml/index.js';

/** The problems a file's bytes give, as FILE:LINE:COL lines with FILE left out. */
async function problemsOf(bytes: Buffer | string): Promise<string[]> {
  const file = join(await mkdtemp(join(tmpdir(), 'atomlab-yaml-')), 'f.yaml');
  await writeFile(file, bytes);
  const error = await readYamlFile(file).then(() => undefined, (e: unknown) => e);
  if (!(error instanceof InvalidFileError)) throw new Error(`expected problems, got ${String(error)}`);
  return error.problems.map((p) => formatProblem({ ...p, file: '' }).slice(1));
}

test('text that is not UTF-8 is refused where it stops being UTF-8', async (t) => {
  t.deepEqual(await problemsOf(Buffer.from('name: x\ndescription: caf\xe9\n', 'latin1')), ['2:17: is not UTF-8 text: this byte is not part of a UTF-8 character']);
  t.deepEqual(await problemsOf(Buffer.from('\ufeffname: x\n', 'utf16le')), ['1:1: is UTF-16 text: save it as UTF-8']);
  t.deepEqual(await problemsOf(Buffer.from('name: x\n  ab\0c\n')), ['2:5: holds a NUL byte: a binary file, not YAML text']);
});

test('a UTF-8 byte order mark is read past', async (t) => {
  const file = join(await mkdtemp(join(tmpdir(), 'atomlab-yaml-')), 'f.yaml');
  await writeFile(file, '\ufeffname: x\n');
  t.deepEqual((await readYamlFile(file)).data, { name: 'x' });
});

test('aliases that loop, nest too deep, or are too many are refused at the alias', async (t) => {
  t.deepEqual(await problemsOf('a: &a\n  b: *a\n'), ['2:6: alias *a is inside the value its anchor &a marks: it would contain itself']);
  const chain = ['a0: &a0 [1]', ...Array.from({ length: 12 }, (_, i) => `a${i + 1}: &a${i + 1} [[[[[[*a${i}]]]]]]`)].join('\n');
  t.deepEqual(await problemsOf(`${chain}\n`), ['12:17: alias *a10 nests values more than 64 levels deep']);
  const many = `a: &a 1\nb:\n${'  - *a\n'.repeat(MAX_ALIASES + 1)}`;
  t.deepEqual(await problemsOf(many), [`${MAX_ALIASES + 3}:5: more than ${MAX_ALIASES} aliases: write the values out instead`]);
});

test('keys that are lists or mappings, and a second document, are refused where they are', async (t) => {
  t.deepEqual(await problemsOf('a: {[x, y]: 1}\n? {b: 1}\n: 2\n'), ['1:5: a key must be a plain value, not a list or a mapping', '2:3: a key must be a plain value, not a list or a mapping']);
  t.deepEqual(await problemsOf('a: 1\n---\nb: 2\n'), ['2:1: YAML syntax error: a scenario holds one document: remove the second ---']);
});

test('a problem quoting control characters stays one line with no terminal escape', (t) => {
  const line = formatProblem({ file: 'f.yaml', line: 2, col: 1, message: 'unknown key \u001b[2J\nnext\u2028' });
  t.is(line, 'f.yaml:2:1: unknown key \\u001b[2J\\u000anext\\u2028');
});
