import { AtomlabError } from '../errors/index.js';
import type { ImageDigest } from './image-source.js';

const FEDORA = /^(SHA256|SHA512) \((.+)\) = ([0-9a-fA-F]+)\s*$/;
const GNU = /^([0-9a-fA-F]{64}|[0-9a-fA-F]{128}) [ *]?(.+?)\s*$/;

function algorithmOf(hex: string): ImageDigest['algorithm'] | undefined {
  if (hex.length === 64) return 'sha256';
  if (hex.length === 128) return 'sha512';
  return undefined;
}

function parseLine(line: string): { name: string; digest: ImageDigest } | undefined {
  const fedora = FEDORA.exec(line);
  if (fedora) {
    const algorithm = fedora[1] === 'SHA256' ? 'sha256' : 'sha512';
    const hex = fedora[3]!.toLowerCase();
    return algorithmOf(hex) === algorithm ? { name: fedora[2]!, digest: { algorithm, hex } } : undefined;
  }
  const gnu = GNU.exec(line);
  if (!gnu) return undefined;
  const hex = gnu[1]!.toLowerCase();
  return { name: gnu[2]!, digest: { algorithm: algorithmOf(hex)!, hex } };
}

/** The file name a URL or path ends with, as checksum files name it. */
export function publishedName(location: string): string {
  const pathname = /^[a-z]+:\/\//i.test(location) ? new URL(location).pathname : location;
  return decodeURIComponent(pathname.split('/').pop() ?? '');
}

/**
 * The digest a checksum file gives for `name`, in Fedora (`SHA256 (name) = hex`) or GNU
 * (`hex  name`) format; the strongest one when both sha256 and sha512 are listed.
 */
export function digestFromChecksumFile(text: string, name: string, source = 'checksum file'): ImageDigest {
  const found = text
    .split(/\r?\n/)
    .map((line) => parseLine(line.trim()))
    .filter((entry) => entry && entry.name.replace(/^\.\//, '') === name);
  const best = found.find((entry) => entry!.digest.algorithm === 'sha512') ?? found[0];
  if (best) return best.digest;
  throw new AtomlabError(`${source} has no checksum for ${name}`, {
    code: 'FAILED',
    hint: 'check that checksumUrl belongs to this image (same release and architecture)',
    context: { file: source, image: name },
  });
}
