import test from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startImageServer } from '../fixtures/image-server.js';
import { cacheProblems, makeTestImages, type TestImages } from '../fixtures/test-images.js';
import { smallDisk } from '../fixtures/tmpfs.js';
import { runCli } from '../helpers/run-cli.js';

// The image cache on a 2 MiB tmpfs, the image 6 MiB: the disk fills during the pull.
let images: TestImages;
test.before(async () => {
  images = await makeTestImages({ randomMiB: 4, zeroMiB: 1 });
});
test.after.always(() => images.cleanup());

test('the disk filling during images pull: a "no space" error naming the cache, no partial entry, and the next pull works once space is back', async (t) => {
  const server = await startImageServer({ '/disk.raw': { body: images.raw } });
  const disk = await smallDisk('2m');
  t.teardown(async () => {
    await server.close();
    await disk.remove();
  });
  const env = { ATOMLAB_HOME: disk.dir };
  const pull = () => runCli(['images', 'pull', server.url('/disk.raw'), '--sha256', images.rawSha256, '--json'], { env });
  const full = await pull();
  t.is(full.exitCode, 1, full.stderr);
  t.regex(full.stderr, new RegExp(`no space left on device in ${join(disk.dir, 'images')} \\(pulling http`));
  t.regex(full.stderr, /hint: free space there .*ATOMLAB_HOME.*nothing was cached/);
  t.deepEqual(await cacheProblems(join(disk.dir, 'images'), []), []);
  t.deepEqual(await readdir(join(disk.dir, 'images', 'partial')).catch(() => []), [], 'the partial download that filled the disk is given back');
  const listed = await runCli(['images', 'ls', '--json'], { env });
  t.deepEqual(JSON.parse(listed.stdout), [], listed.stderr);

  await disk.grow('32m');
  const again = await pull();
  t.is(again.exitCode, 0, again.stderr);
  t.is((JSON.parse(again.stdout) as { sha256: string }).sha256, images.rawSha256);
  t.deepEqual(await cacheProblems(join(disk.dir, 'images'), [images.rawSha256]), []);
  const verify = await runCli(['images', 'verify', '--json'], { env });
  t.is(verify.exitCode, 0, verify.stderr);
});
