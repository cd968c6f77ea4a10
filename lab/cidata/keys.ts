import { randomUUID } from 'node:crypto';
import ssh2 from 'ssh2';
import { AtomlabError } from '../errors/index.js';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../files/index.js';

/** An OpenSSH key pair. `privateKey` is not enumerable, so logging or JSON never shows it. */
export interface KeyPair {
  readonly privateKey: string;
  /** One `ssh-ed25519 AAAA… comment` line, without a newline. */
  readonly publicKey: string;
}

export function keyPair(privateKey: string, publicKey: string): KeyPair {
  const pair = { publicKey: publicKey.trim() } as KeyPair;
  Object.defineProperty(pair, 'privateKey', { value: privateKey, enumerable: false });
  return pair;
}

/**
 * True when an `ssh-ed25519 BLOB` line's key is the 32 bytes OpenSSH requires. ssh2 (1.x) writes
 * a key whose first byte is zero as a 31-byte string (about 1 key in 256), which ssh-keygen,
 * sshd and cloud-init refuse ("is not a public key file").
 */
export function ed25519KeyWellFormed(publicKey: string): boolean {
  const blob = Buffer.from(publicKey.trim().split(/\s+/)[1] ?? '', 'base64');
  if (blob.length < 4) return false;
  const typeLength = blob.readUInt32BE(0);
  if (blob.toString('latin1', 4, 4 + typeLength) !== 'ssh-ed25519' || blob.length < 8 + typeLength) return false;
  return blob.readUInt32BE(4 + typeLength) === 32 && blob.length === 8 + typeLength + 32;
}

/** ssh2's ed25519 pair, drawn again when ssh2 wrote the public key short (see ed25519KeyWellFormed). */
function wellFormedEd25519(comment: string): { private: string; public: string } {
  for (let draw = 0; draw < 32; draw += 1) {
    const generated = ssh2.utils.generateKeyPairSync('ed25519', { comment });
    if (ed25519KeyWellFormed(generated.public)) return generated;
  }
  throw new AtomlabError('ssh2 wrote 32 malformed ed25519 keys in a row', { code: 'FAILED' });
}

/** A new ed25519 key pair in OpenSSH format (`-----BEGIN OPENSSH PRIVATE KEY-----`). */
export function generateKeyPair(comment: string): KeyPair {
  const generated = wellFormedEd25519(comment);
  const privateKey = generated.private.endsWith('\n') ? generated.private : `${generated.private}\n`;
  if (!privateKey.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----')) {
    throw new AtomlabError('ssh2 did not return an OpenSSH private key', { code: 'FAILED' });
  }
  return keyPair(privateKey, generated.public);
}

/** Writes `path` (the private key, mode 0600) and `path.pub` (0644), each atomically. */
export async function writeKeyPair(path: string, pair: KeyPair): Promise<void> {
  await writeFileAtomic(path, pair.privateKey, { mode: 0o600 });
  await writeFileAtomic(`${path}.pub`, `${pair.publicKey}\n`, { mode: 0o644 });
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AtomlabError(`cannot read key ${path}: ${(error as Error).message}`, { code: 'IO', context: { file: path }, cause: error });
  }
}

/**
 * The key pair kept at `path` (+ `path.pub`), generated and written (0600/0644) on first use,
 * so a lab keeps one login key across runs.
 */
export async function loadOrCreateKeyPair(path: string, comment: string): Promise<KeyPair> {
  const [privateKey, publicKey] = await Promise.all([readIfPresent(path), readIfPresent(`${path}.pub`)]);
  if (privateKey !== undefined && publicKey !== undefined) return keyPair(privateKey, publicKey);
  if (privateKey !== undefined || publicKey !== undefined) {
    throw new AtomlabError(`only one half of the key pair ${path} exists`, {
      code: 'BAD_INPUT',
      hint: `remove ${path} and ${path}.pub to have a new pair generated`,
      context: { file: path },
    });
  }
  const pair = generateKeyPair(comment);
  await writeKeyPair(path, pair);
  return pair;
}

/** A fresh cloud-init instance id: per-instance modules run again only for a new one. */
export function newInstanceId(): string {
  return `iid-${randomUUID()}`;
}
