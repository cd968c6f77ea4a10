import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pullImage } from '../../lab/images/index.js';
import { cacheProblems, makeTestImages, sha256, type TestImages } from '../fixtures/test-images.js';

let images: TestImages;
let gnupg: string;
const gpg = (args: string[], home = gnupg) =>
  execFileSync('gpg', ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { env: { ...process.env, GNUPGHOME: home } });

/** A signing key made by GnuPG (the outside judge of what a valid signature is), exported armored. */
async function makeKey(home: string, name: string): Promise<string> {
  gpg(['--quick-gen-key', `${name} <${name}@example.org>`, 'ed25519', 'sign', 'never'], home);
  const keyFile = join(home, `${name}.asc`);
  await writeFile(keyFile, gpg(['--armor', '--export'], home));
  return keyFile;
}

test.before(async () => {
  images = await makeTestImages({ randomMiB: 1, zeroMiB: 1 });
  gnupg = await mkdtemp(join(tmpdir(), 'atomlab-gpg-'));
});
test.after.always(async () => {
  await images.cleanup();
  await rm(gnupg, { recursive: true, force: true });
});

async function pullWith(source: { checksumUrl: string; signatureUrl?: string; keyFile: string }) {
  const cacheDir = await mkdtemp(join(tmpdir(), 'atomlab-cache-'));
  try {
    const image = await pullImage({ path: images.files.xz, verify: true, ...source }, { cacheDir });
    return { image, problems: await cacheProblems(cacheDir, [image.sha256]) };
  } catch (error) {
    const problems = await cacheProblems(cacheDir, []);
    if (problems.length) throw new Error(problems.join('; '));
    throw error;
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

test('a checksum file with a valid detached signature (armored or binary) is trusted', async (t) => {
  const keyFile = await makeKey(gnupg, 'release');
  const checksum = join(images.dir, 'CHECKSUM');
  await writeFile(checksum, `SHA256 (disk.raw.xz) = ${sha256(await images.read('xz'))}\n`);
  gpg(['--armor', '--detach-sign', '-o', `${checksum}.asc`, checksum]);
  gpg(['--detach-sign', '-o', `${checksum}.sig`, checksum]);
  for (const signature of [`${checksum}.asc`, `${checksum}.sig`]) {
    const { image, problems } = await pullWith({ checksumUrl: checksum, signatureUrl: signature, keyFile });
    t.is(image.sha256, images.rawSha256);
    t.deepEqual(problems, []);
  }
  await writeFile(checksum, `SHA256 (disk.raw.xz) = ${'0'.repeat(64)}\n`);
  await t.throwsAsync(pullWith({ checksumUrl: checksum, signatureUrl: `${checksum}.asc`, keyFile }), {
    message: /OpenPGP signature of .*CHECKSUM does not verify/,
  });
});

test('a cleartext-signed checksum file (as Fedora ships) is verified; another key is refused', async (t) => {
  const keyFile = await makeKey(gnupg, 'fedora');
  const otherHome = await mkdtemp(join(tmpdir(), 'atomlab-gpg-'));
  const otherKey = await makeKey(otherHome, 'stranger');
  const checksum = join(images.dir, 'CHECKSUM-clear');
  const plain = join(images.dir, 'CHECKSUM-plain');
  await writeFile(plain, `${sha256(await images.read('xz'))}  disk.raw.xz\n`);
  gpg(['--local-user', 'fedora@example.org', '--clearsign', '-o', checksum, plain]);
  const { image } = await pullWith({ checksumUrl: checksum, keyFile });
  t.is(image.sha256, images.rawSha256);
  await t.throwsAsync(pullWith({ checksumUrl: checksum, keyFile: otherKey }), { message: /does not verify/ });
  await rm(otherHome, { recursive: true, force: true });
});
