import { readFile } from 'node:fs/promises';
import { AtomlabError } from '../errors/index.js';

export interface SignedChecksum {
  /** The checksum file as downloaded (cleartext-signed or plain). */
  text: string;
  /** Detached signature (armored text or binary), when the file is not cleartext-signed. */
  signature?: Uint8Array;
  /** Path of the armored public key that must have signed it. */
  keyFile: string;
  /** Where the checksum file came from, for messages. */
  source: string;
}

const CLEARTEXT_HEADER = '-----BEGIN PGP SIGNED MESSAGE-----';

function badSignature(source: string, cause: unknown): AtomlabError {
  return new AtomlabError(`the OpenPGP signature of ${source} does not verify`, {
    code: 'FAILED',
    hint: 'the checksum file or its signature was altered, or keyFile is not the key that signs it',
    context: { file: source },
    cause,
  });
}

async function readKey(keyFile: string) {
  const { readKeys } = await import('openpgp');
  const armoredKeys = await readFile(keyFile, 'utf8').catch((cause: unknown) => {
    throw new AtomlabError(`cannot read signing key ${keyFile}`, { code: 'NOT_FOUND', cause });
  });
  return readKeys({ armoredKeys });
}

async function readSignature(signature: Uint8Array) {
  const openpgp = await import('openpgp');
  const text = Buffer.from(signature).toString('latin1');
  if (text.includes('-----BEGIN PGP SIGNATURE-----')) return openpgp.readSignature({ armoredSignature: text });
  return openpgp.readSignature({ binarySignature: signature });
}

async function readMessage(input: SignedChecksum) {
  const openpgp = await import('openpgp');
  if (input.text.trimStart().startsWith(CLEARTEXT_HEADER)) {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: input.text });
    return { message, signature: undefined };
  }
  if (!input.signature) throw badSignature(input.source, new Error('no signature given'));
  // binary: the signature covers the file's exact bytes
  const message = await openpgp.createMessage({ binary: Buffer.from(input.text, 'utf8') });
  return { message, signature: await readSignature(input.signature) };
}

/**
 * Verifies the checksum file against the key (detached signature, or a cleartext-signed file)
 * and returns the signed text: only what the key vouched for is used afterwards.
 */
export async function verifyChecksumSignature(input: SignedChecksum): Promise<string> {
  const { verify } = await import('openpgp');
  const verificationKeys = await readKey(input.keyFile);
  try {
    const { message, signature } = await readMessage(input);
    const result = await verify({ message, signature, verificationKeys, expectSigned: true });
    await Promise.all(result.signatures.map((entry) => entry.verified));
    return typeof result.data === 'string' ? result.data : Buffer.from(result.data).toString('utf8');
  } catch (cause) {
    if (cause instanceof AtomlabError) throw cause;
    throw badSignature(input.source, cause);
  }
}
