import test from 'ava';
import { spawn } from 'node:child_process';
import { appendFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomlabError } from '../../lab/errors/index.js';
import { RECIPES, acquireLock, buildRecipe, recipesRoot } from '../../lab/recipes/index.js';
import { recipeInputs } from '../../lab/recipes/recipe-inputs.js';

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-recipes-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('RECIPES names the three test guests', (t) => {
  t.deepEqual(RECIPES.map((r) => r.name), ['tiny', 'cloudinit', 'ignition']);
});

test('an unknown recipe is bad input with the known names in the hint', async (t) => {
  const error = await t.throwsAsync(buildRecipe('fedora-atomic', { cacheDir: '/nonexistent' }), { instanceOf: AtomlabError });
  t.is(error?.code, 'BAD_INPUT');
  t.regex(error?.hint ?? '', /tiny, cloudinit, ignition/);
});

test.serial('without apt on PATH an uncached build is a missing-tool error naming the package', async (t) => {
  const cacheDir = await tempDir(t);
  const path = process.env.PATH;
  process.env.PATH = join(cacheDir, 'empty');
  try {
    const error = await t.throwsAsync(buildRecipe('tiny', { cacheDir }), { instanceOf: AtomlabError });
    t.is(error?.code, 'MISSING_TOOL');
    t.regex(error?.hint ?? '', /apt-get install apt/);
  } finally {
    process.env.PATH = path;
  }
});

test('the inputs hash changes with a recipe file, only for that recipe; shared helpers change both', async (t) => {
  const root = join(await tempDir(t), 'recipes');
  await cp(recipesRoot(), root, { recursive: true });
  const before = { tiny: await recipeInputs(root, 'tiny'), cloudinit: await recipeInputs(root, 'cloudinit') };
  t.is((await recipeInputs(root, 'tiny')).hash, before.tiny.hash, 'stable when nothing changed');
  t.regex(before.tiny.resolved, /^busybox-static=\S+$/m, 'tiny pins package versions');
  await appendFile(join(root, 'tiny', 'guest', 'etc', 'hostname'), '\n');
  t.not((await recipeInputs(root, 'tiny')).hash, before.tiny.hash);
  t.is((await recipeInputs(root, 'cloudinit')).hash, before.cloudinit.hash);
  await appendFile(join(root, 'lib', 'common.sh'), '\n');
  t.not((await recipeInputs(root, 'cloudinit')).hash, before.cloudinit.hash);
});

test('the lock waits for its holder and takes over a lock whose process is gone', async (t) => {
  const lock = join(await tempDir(t), 'x.lock');
  const release = await acquireLock(lock);
  t.is((await readFile(lock, 'utf8')).trim(), String(process.pid));
  const waiting = new AbortController();
  setTimeout(() => waiting.abort(), 1200);
  const error = await t.throwsAsync(acquireLock(lock, waiting.signal), { instanceOf: AtomlabError });
  t.is(error?.code, 'INTERRUPTED', 'a second holder waited while the first was alive');
  await release();

  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => dead.once('exit', resolve));
  await writeFile(lock, `${dead.pid}\n`);
  const takeover = await acquireLock(lock);
  t.is((await readFile(lock, 'utf8')).trim(), String(process.pid), 'a stale lock was taken over');
  await takeover();
});

const asRoot = process.getuid?.() === 0 ? test : test.skip;
asRoot('a second build with unchanged inputs is a cache hit', async (t) => {
  t.timeout(15 * 60_000);
  const first = await buildRecipe('tiny');
  const started = Date.now();
  const second = await buildRecipe('tiny');
  t.log(`cache hit in ${Date.now() - started} ms`);
  t.true(second.cached);
  t.is(second.path, first.path);
  t.is(second.format, 'qcow2');
  t.true(second.path.endsWith(`tiny-${second.inputsHash.slice(0, 16)}.qcow2`));
});

asRoot('an interrupted build leaves no work directory, lock or image behind', async (t) => {
  t.timeout(5 * 60_000);
  const cacheDir = await tempDir(t);
  const controller = new AbortController();
  const lines: string[] = [];
  const building = buildRecipe('tiny', { cacheDir, signal: controller.signal, log: (line) => lines.push(line) });
  const poll = setInterval(() => lines.length > 0 && controller.abort(), 100); // abort once the script runs
  const error = await t.throwsAsync(building, { instanceOf: AtomlabError });
  clearInterval(poll);
  t.is(error?.code, 'INTERRUPTED');
  const left = (await readdir(cacheDir)).filter((name) => name !== 'debs' && name !== 'resolved');
  t.deepEqual(left, []);
  const mounts = await readFile('/proc/mounts', 'utf8');
  t.false(mounts.includes(cacheDir), 'nothing stays mounted');
});
