import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertImage, createOverlay, imageInfo, pullImage, type PulledImage } from '../../lab/images/index.js';
import { makeTestImages, type TestImages } from '../fixtures/test-images.js';

let images: TestImages;
let cacheDir: string;
let work: string;
let base: PulledImage;
test.before(async () => {
  images = await makeTestImages();
  cacheDir = await mkdtemp(join(tmpdir(), 'atomlab-cache-'));
  work = await mkdtemp(join(tmpdir(), 'atomlab-disks-'));
  base = await pullImage({ path: images.files.xz, verify: false }, { cacheDir });
});
test.after.always(async () => {
  await images.cleanup();
  await rm(cacheDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

const qemuImgJson = (args: string[]) => JSON.parse(execFileSync('qemu-img', [...args, '--output=json'], { encoding: 'utf8' })) as Record<string, unknown>;

test('an overlay is a valid qcow2 whose backing file is the cached base, grown to the size asked', async (t) => {
  const path = join(work, 'vm1.qcow2');
  const overlay = await createOverlay({ base: base.path, baseFormat: base.format, path, sizeBytes: 64 * 1024 * 1024 });
  t.is(overlay.backingFile, base.path);
  const info = qemuImgJson(['info', path]);
  t.is(info['backing-filename'], base.path);
  t.is(info['backing-filename-format'], 'raw');
  t.is(info['virtual-size'], 64 * 1024 * 1024);
  const check = qemuImgJson(['check', path]);
  t.is(check['corruptions'] ?? 0, 0);
  t.true((await stat(path)).size < 1024 * 1024, 'constant size: no copy of the base');
  t.deepEqual((await readdir(work)).filter((name) => name.startsWith('.vm1.')), [], 'no temporary file left');
});

test('an overlay without a size keeps the base size', async (t) => {
  const overlay = await createOverlay({ base: base.path, baseFormat: 'raw', path: join(work, 'vm2.qcow2') });
  t.is(overlay.virtualSize, images.raw.length);
  t.is((await imageInfo(overlay.path)).virtualSize, images.raw.length);
});

test('an overlay smaller than the base is refused with a clear error', async (t) => {
  const path = join(work, 'vm3.qcow2');
  const error = await t.throwsAsync(createOverlay({ base: base.path, baseFormat: 'raw', path, sizeBytes: 1024 * 1024 }));
  t.regex(error!.message, /smaller than the image/);
  await t.throwsAsync(stat(path));
});

for (const target of ['vmdk', 'vdi'] as const) {
  test(`conversion to ${target} is checked by qemu-img and made once`, async (t) => {
    const path = await convertImage(base, target);
    t.is(path, join(cacheDir, 'entries', base.sha256, `disk.${target}`));
    const info = qemuImgJson(['info', path]);
    t.is(info['format'], target);
    t.is(info['virtual-size'], images.raw.length);
    execFileSync('qemu-img', ['compare', '-f', 'raw', '-F', target, base.path, path]);
    const made = (await stat(path)).mtimeMs;
    t.is(await convertImage(base, target), path);
    t.is((await stat(path)).mtimeMs, made);
  });
}
