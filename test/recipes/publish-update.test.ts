import test from 'ava';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { recipesRoot } from '../../lab/recipes/index.js';

const run = promisify(execFile);
const PUBLISH = join(recipesRoot(), 'tiny', 'publish-update');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-publish-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('publish-update writes verifiable commits chained to their parent', async (t) => {
  const dir = await tempDir(t);
  const repo = join(dir, 'repo');
  await mkdir(join(dir, 'files', 'usr', 'share'), { recursive: true });
  await writeFile(join(dir, 'files', 'usr', 'share', 'marker'), 'v2\n');
  const first = (await run(PUBLISH, [repo, '--version', '2', '--files', join(dir, 'files')])).stdout.trim();
  const second = (await run(PUBLISH, [repo, '--version', '3'])).stdout.trim();
  t.is((await readFile(join(repo, 'refs', 'heads', 'tiny', 'stable'), 'utf8')).trim(), second);
  for (const checksum of [first, second]) {
    const commit = await readFile(join(repo, 'objects', `${checksum}.commit`));
    t.is(sha256(commit), checksum, 'the checksum is the sha256 of the commit metadata');
    const tree = /^tree=(\w+)$/m.exec(commit.toString())?.[1];
    t.is(sha256(await readFile(join(repo, 'objects', `${checksum}.tar.gz`))), tree ?? "missing tree=");
  }
  const commit = (await readFile(join(repo, 'objects', `${second}.commit`), 'utf8'));
  t.regex(commit, new RegExp(`^parent=${first}$`, 'm'));
  t.regex(commit, /^version=3$/m);
  const listing = (await run('tar', ['-tzf', join(repo, 'objects', `${second}.tar.gz`)])).stdout;
  t.true(listing.includes('usr/share/marker'), 'a commit keeps its parent\'s files');
  t.true(listing.includes('usr/lib/os-release'));
});

test('publish-update refuses bad input with a message and exit status 2', async (t) => {
  const dir = await tempDir(t);
  const bad = async (args: string[]) => {
    const error = await t.throwsAsync(run(PUBLISH, args));
    return error as Error & { code?: number; stderr?: string };
  };
  const version = await bad([join(dir, 'repo'), '--version', 'two words']);
  t.is(version.code, 2);
  t.regex(version.stderr ?? '', /--version must be/);
  await mkdir(join(dir, 'files', 'etc'), { recursive: true });
  const files = await bad([join(dir, 'repo'), '--version', '2', '--files', join(dir, 'files')]);
  t.regex(files.stderr ?? '', /may only hold usr/);
});
