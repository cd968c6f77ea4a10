import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { AtomlabError } from '../../lab/errors/index.js';
import { which } from '../../lab/host/index.js';
import { ovfDisks, pullImage } from '../../lab/images/index.js';
import { cacheProblems, makeTestImages, type TestImages } from '../fixtures/test-images.js';
import { buildBox, ovfFor, type BoxKind } from '../fixtures/vagrant-boxes.js';

const run = promisify(execFile);
const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

let images: TestImages;
let dir: string;
test.before(async () => {
  images = await makeTestImages({ randomMiB: 2, zeroMiB: 2 });
  dir = await mkdtemp(join(tmpdir(), 'atomlab-boxes-'));
});
test.after.always(async () => {
  await images.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const EXPECT: Record<BoxKind, { format: 'qcow2' | 'vmdk'; provider: 'libvirt' | 'virtualbox' }> = {
  'libvirt-v1': { format: 'qcow2', provider: 'libvirt' },
  'libvirt-v2': { format: 'qcow2', provider: 'libvirt' },
  virtualbox: { format: 'vmdk', provider: 'virtualbox' },
};

for (const kind of ['libvirt-v1', 'libvirt-v2', 'virtualbox'] as const) {
  test(`a ${kind} box: unpacked, its disk cached under the disk's own sha256, the same data as the image it was made from`, async (t) => {
    const box = await buildBox(kind, images.files.qcow2, join(dir, kind));
    const cacheDir = join(dir, `cache-${kind}`);
    const pulled = await pullImage({ path: box, digest: { algorithm: 'sha256', hex: await sha256(box) }, verify: true, box: { provider: EXPECT[kind].provider } }, { cacheDir });
    t.is(pulled.format, EXPECT[kind].format);
    t.is(pulled.sha256, await sha256(pulled.path));
    t.deepEqual(await cacheProblems(cacheDir, [pulled.sha256]), []);
    const { stdout } = await run('qemu-img', ['compare', '-f', 'qcow2', '-F', EXPECT[kind].format, images.files.qcow2, pulled.path]);
    t.regex(stdout, /Images are identical/);
    const again = await pullImage({ path: box, digest: { algorithm: 'sha256', hex: await sha256(box) }, verify: true, box: { provider: EXPECT[kind].provider } }, { cacheDir });
    t.true(again.cached);
  });
}

async function rejected(t: ExecutionContext, box: string, provider: 'libvirt' | 'virtualbox', pattern: RegExp): Promise<void> {
  const cacheDir = join(dir, `cache-bad-${Math.random().toString(36).slice(2)}`);
  const error = await t.throwsAsync(pullImage({ path: box, verify: false, box: { provider } }, { cacheDir }), { instanceOf: AtomlabError });
  t.regex(error.message, pattern);
  t.deepEqual(await cacheProblems(cacheDir, []), [], 'nothing left in the cache');
}

test('bad boxes are refused with the reason, and leave nothing in the cache', async (t) => {
  await rejected(t, await buildBox('libvirt-v1', images.files.qcow2, join(dir, 'nometa'), {}), 'libvirt', /metadata\.json lacks what Vagrant requires: provider/);
  await rejected(t, await buildBox('libvirt-v1', images.files.qcow2, join(dir, 'wrong')), 'virtualbox', /is a libvirt box, not virtualbox/);
  await rejected(t, await buildBox('libvirt-v2', images.files.qcow2, join(dir, 'escape'), { provider: 'libvirt', disks: [{ path: '../../etc/passwd' }] }), 'libvirt', /names a file outside the box/);
  await rejected(t, await buildBox('libvirt-v2', images.files.qcow2, join(dir, 'nodisk'), { provider: 'libvirt', disks: [{ path: 'disk2.qcow2' }] }), 'libvirt', /has no disk image \(disk2\.qcow2 is missing\)/);
  await rejected(t, images.files.gz, 'libvirt', /is not a tar archive|no metadata\.json/);
  const plain = join(dir, 'plain.tar');
  await tar.c({ file: plain, cwd: join(images.dir) }, ['disk.qcow2']);
  await rejected(t, plain, 'libvirt', /is not a Vagrant box: it has no metadata\.json/);
});

test('a box whose digest does not match is refused before it is unpacked', async (t) => {
  const box = await buildBox('libvirt-v1', images.files.qcow2, join(dir, 'digest'));
  const cacheDir = join(dir, 'cache-digest');
  await t.throwsAsync(pullImage({ path: box, digest: { algorithm: 'sha256', hex: '0'.repeat(64) }, verify: true, box: { provider: 'libvirt' } }, { cacheDir }), { message: /sha256/ });
  t.deepEqual(await cacheProblems(cacheDir, []), []);
});

test('ovfDisks: the disks in DiskSection order, by their References', (t) => {
  t.deepEqual(ovfDisks(ovfFor('box-disk001.vmdk', 2 ** 30)), ['box-disk001.vmdk']);
  t.throws(() => ovfDisks('<NotOvf/>'), { message: /not an OVF envelope/ });
});

test('judge: Debian\'s vagrant accepts the boxes atomlab builds, and refuses the one without provider', async (t) => {
  const vagrant = await which('vagrant');
  if (!vagrant) {
    t.log('skipped: vagrant is not installed (scripts/setup-host installs it)');
    t.pass();
    return;
  }
  const home = join(dir, 'vagrant-home');
  const env = { ...process.env, VAGRANT_HOME: home, VAGRANT_CHECKPOINT_DISABLE: '1' };
  for (const kind of ['libvirt-v1', 'libvirt-v2', 'virtualbox'] as const) {
    const box = await buildBox(kind, images.files.qcow2, join(dir, `judge-${kind}`));
    const { stdout } = await run(vagrant, ['box', 'add', '--name', `atomlab/${kind}`, box], { env, timeout: 300_000 });
    t.regex(stdout, new RegExp(`Successfully added box 'atomlab/${kind}' .*for '${EXPECT[kind].provider}'`));
  }
  const bad = await buildBox('libvirt-v1', images.files.qcow2, join(dir, 'judge-bad'), {});
  const error = await t.throwsAsync(run(vagrant, ['box', 'add', '--name', 'atomlab/bad', bad], { env, timeout: 300_000 }));
  t.regex(String((error as { stderr?: string }).stderr), /Required fields: provider/);
});
