import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ROOT } from '../helpers/run-cli.js';

/** Every TypeScript source file under a directory of the repository. */
async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The repository-relative files a source imports (static `from '…'` and dynamic `import('…')`), relative specifiers only. */
async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)));
}

async function violations(dir: string, forbidden: (file: string, target: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  for (const file of await sources(dir)) for (const target of await importsOf(file)) if (forbidden(file, target)) found.push(`${file} imports ${target}`);
  return found;
}

const providerOf = (path: string): string | undefined => (path.startsWith(`providers${sep}`) ? path.split(sep)[1] : undefined);

test('nothing under lab/ imports from providers/ (providers register at the top of the tree)', async (t) => {
  t.deepEqual(await violations('lab', (_file, target) => target.startsWith(`providers${sep}`) || target === 'providers'), []);
});

test('no provider imports another provider; only providers/registry.ts sees them all', async (t) => {
  const crossing = await violations('providers', (file, target) => {
    const from = providerOf(file);
    const to = providerOf(target);
    return from !== undefined && from !== 'registry.ts' && to !== undefined && to !== from;
  });
  t.deepEqual(crossing, []);
});

test('the checker itself sees an upward import and a crossing one', (t) => {
  t.is(providerOf(join('providers', 'qemu', 'provider.ts')), 'qemu');
  t.is(providerOf(join('lab', 'engine', 'up.ts')), undefined);
  t.is(relative(ROOT, resolve(ROOT, 'providers/qemu', '../libvirt/options.js')), join('providers', 'libvirt', 'options.js'));
});
