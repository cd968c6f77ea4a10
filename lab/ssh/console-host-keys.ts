import { AtomlabError } from '../errors/index.js';
import { fingerprint, parsePublicKey } from './public-key.js';

const BEGIN = '-----BEGIN SSH HOST KEY KEYS-----';
const END = '-----END SSH HOST KEY KEYS-----';
const KEY = /((?:ssh|ecdsa|sk)-[a-z0-9@.-]+) (AAAA[A-Za-z0-9+/]+=*)/;

/**
 * The host keys cloud-init printed on a console (its write-ssh-key-fingerprints between the
 * BEGIN/END SSH HOST KEY KEYS markers), as `type base64` strings. Console lines may carry a
 * prefix (a timestamp, `ec2:`, `cloud-init[…]:`); the last complete block wins (the latest boot).
 */
export function consoleHostKeys(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const end = lines.findLastIndex((line) => line.includes(END));
  if (end < 0) return [];
  const begin = lines.slice(0, end).findLastIndex((line) => line.includes(BEGIN));
  if (begin < 0) return [];
  return lines
    .slice(begin + 1, end)
    .map((line) => KEY.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => `${match[1]} ${match[2]}`);
}

export type ConsoleHostKeyCheck = { kind: 'matched'; fingerprint: string } | { kind: 'not-printed' };

/**
 * Checks the host key a VM was given against the ones its cloud-init printed on the console.
 * A console that shows keys but not this one means a different machine answers (or its keys
 * were replaced): refused. Keys not printed (yet) say nothing either way.
 */
export function checkConsoleHostKey(text: string, pinned: string, vm: string): ConsoleHostKeyCheck {
  const printed = consoleHostKeys(text);
  if (printed.length === 0) return { kind: 'not-printed' };
  const want = parsePublicKey(pinned);
  const same = printed.map(parsePublicKey).find((key) => key.type === want.type && key.blob.equals(want.blob));
  if (same) return { kind: 'matched', fingerprint: fingerprint(same.blob) };
  throw new AtomlabError(`${vm}: the console shows host keys that are not the one atomlab gave it (${fingerprint(want.blob)})`, {
    code: 'FAILED',
    context: { vm, printed: printed.map((key) => `${key.split(' ')[0]} ${fingerprint(parsePublicKey(key).blob)}`) },
    hint: 'another machine may answer at this address, or the image replaces host keys: do not log in; run atomlab down and up again',
  });
}
