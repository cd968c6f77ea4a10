import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, promisify } from 'node:util';
import { AtomlabError } from '../../lab/errors/index.js';
import { generateKeyPair, loadOrCreateKeyPair, writeKeyPair } from '../../lab/cidata/index.js';

const run = promisify(execFile);

test('generateKeyPair gives an OpenSSH ed25519 pair that ssh-keygen accepts', async (t) => {
  const pair = generateKeyPair('atomlab@lab');
  t.true(pair.privateKey.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----\n'));
  t.true(pair.privateKey.endsWith('-----END OPENSSH PRIVATE KEY-----\n'));
  t.regex(pair.publicKey, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\S+ atomlab@lab$/);
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-keys-'));
  try {
    await writeKeyPair(join(dir, 'id_ed25519'), pair);
    const { stdout } = await run('ssh-keygen', ['-y', '-f', join(dir, 'id_ed25519')]);
    t.is(stdout.trim().split(' ').slice(0, 2).join(' '), pair.publicKey.split(' ').slice(0, 2).join(' '));
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('writeKeyPair writes the private key 0600 and the public key 0644', async (t) => {
  const pair = generateKeyPair('x');
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-keys-'));
  try {
    await writeKeyPair(join(dir, 'key'), pair);
    t.is((await stat(join(dir, 'key'))).mode & 0o777, 0o600);
    t.is((await stat(join(dir, 'key.pub'))).mode & 0o777, 0o644);
    t.is(await readFile(join(dir, 'key'), 'utf8'), pair.privateKey);
    t.is(await readFile(join(dir, 'key.pub'), 'utf8'), `${pair.publicKey}\n`);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('a key pair never shows its private key when logged or serialized', (t) => {
  const pair = generateKeyPair('x');
  for (const shown of [JSON.stringify(pair), inspect(pair), String(Object.values(pair))]) {
    t.false(shown.includes('PRIVATE KEY'));
  }
  t.not(generateKeyPair('x').publicKey, pair.publicKey);
});

test('loadOrCreateKeyPair generates once (0600), then returns the kept pair', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-keys-'));
  try {
    const path = join(dir, 'lab_ed25519');
    const first = await loadOrCreateKeyPair(path, 'atomlab@lab');
    t.is((await stat(path)).mode & 0o777, 0o600);
    const again = await loadOrCreateKeyPair(path, 'atomlab@lab');
    t.is(again.publicKey, first.publicKey);
    t.is(again.privateKey, first.privateKey);
    await unlink(`${path}.pub`);
    const error = await t.throwsAsync(loadOrCreateKeyPair(path, 'x'), { instanceOf: AtomlabError });
    t.is(error?.code, 'BAD_INPUT');
  } finally {
    await rm(dir, { recursive: true });
  }
});
