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

/** A new ed25519 key pair in OpenSSH format (`-----BEGIN OPENSSH PRIVATE KEY-----`). */
export function generateKeyPair(comment: string): KeyPair {
  const generated = ssh2.utils.generateKeyPairSync('ed25519', { comment });
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
