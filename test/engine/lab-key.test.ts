import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLabKey } from '../../lab/engine/vm-seed.js';
import { labPaths } from '../../lab/state/index.js';

test('VMs brought up together share one lab key, and the files on disk hold that same pair', async (t) => {
  const paths = labPaths(join(await mkdtemp(join(tmpdir(), 'atomlab-key-')), '.atomlab'));
  const keys = await Promise.all(Array.from({ length: 6 }, () => ensureLabKey(paths, 'class')));
  t.is(new Set(keys.map((key) => key.publicKey)).size, 1);
  t.is((await readFile(paths.publicKey, 'utf8')).trim(), keys[0]!.publicKey.trim());
  t.is(await readFile(paths.privateKey, 'utf8'), keys[0]!.privateKey);
  const later = await ensureLabKey(paths, 'class');
  t.is(later.publicKey, keys[0]!.publicKey, 'a later call loads the same pair');
});
