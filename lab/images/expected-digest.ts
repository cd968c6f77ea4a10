import { AtomlabError } from '../errors/index.js';
import { digestFromChecksumFile, publishedName } from './checksum-file.js';
import { verifyChecksumSignature } from './checksum-signature.js';
import { fetchText, type RequestOptions } from './http-request.js';
import type { ImageDigest, ImageSource } from './image-source.js';

const HEX_LENGTH = { sha256: 64, sha512: 128 } as const;

function checkedDigest(digest: ImageDigest): ImageDigest {
  const hex = digest.hex.toLowerCase();
  if (HEX_LENGTH[digest.algorithm] && new RegExp(`^[0-9a-f]{${HEX_LENGTH[digest.algorithm]}}$`).test(hex)) {
    return { algorithm: digest.algorithm, hex };
  }
  throw new AtomlabError(`not a ${digest.algorithm} digest: ${digest.hex}`, {
    code: 'BAD_INPUT',
    hint: `a ${digest.algorithm} digest is ${HEX_LENGTH[digest.algorithm] ?? '64 or 128'} hexadecimal characters`,
  });
}

async function checksumText(source: ImageSource, request: RequestOptions): Promise<string> {
  const text = Buffer.from(await fetchText(source.checksumUrl!, request)).toString('utf8');
  if (!source.keyFile) {
    if (source.signatureUrl) {
      throw new AtomlabError('signatureUrl needs keyFile (the key that signs the checksum file)', { code: 'BAD_INPUT' });
    }
    return text;
  }
  const signature = source.signatureUrl ? await fetchText(source.signatureUrl, request) : undefined;
  return verifyChecksumSignature({ text, signature, keyFile: source.keyFile, source: source.checksumUrl! });
}

/**
 * The digest the published file must have: pinned, or read from the (signature-checked)
 * checksum file; undefined when the source names neither.
 */
export async function expectedDigest(source: ImageSource, request: RequestOptions): Promise<ImageDigest | undefined> {
  if (source.digest) return checkedDigest(source.digest);
  if (!source.checksumUrl) return undefined;
  const text = await checksumText(source, request);
  return digestFromChecksumFile(text, publishedName(source.url ?? source.path ?? ''), source.checksumUrl);
}

/** Both digests, for the mismatch message. */
export function digestMismatch(location: string, expected: ImageDigest, actual: string): AtomlabError {
  return new AtomlabError(
    `${location}: ${expected.algorithm} mismatch: expected ${expected.hex}, got ${actual}`,
    {
      code: 'FAILED',
      hint: 'the download is corrupt or the image changed upstream; nothing was cached (pull again, or update the digest if the change is expected)',
      context: { url: location, expected: expected.hex, actual },
    },
  );
}
