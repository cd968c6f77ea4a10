import { createHash } from 'node:crypto';

export interface PublicKey {
  type: string;
  blob: Buffer;
  comment: string;
}

/** Parses an OpenSSH public key line (`ssh-ed25519 AAAA… comment`). */
export function parsePublicKey(line: string): PublicKey {
  const [type, base64, ...comment] = line.trim().split(/\s+/);
  if (!type || !base64) throw new Error(`not an OpenSSH public key: ${line.slice(0, 40)}`);
  return { type, blob: Buffer.from(base64, 'base64'), comment: comment.join(' ') };
}

/** The fingerprint OpenSSH prints: SHA256:base64-without-padding. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
