import { AtomlabError } from '../errors/index.js';
import { fingerprint, parsePublicKey, type PublicKey } from './public-key.js';

const BEGIN = '-----BEGIN SSH HOST KEY KEYS-----';
const END = '-----END SSH HOST KEY KEYS-----';
const KEY = /((?:ssh|ecdsa|sk)-[a-z0-9@.-]+) (AAAA[A-Za-z0-9+/]+=*)/;
/**
 * console-login-helper-messages' issue line, fields 2 and 4 of `ssh-keygen -l`:
 * `SSH host key: SHA256:… (ED25519)`; field 4 is a word of the key's comment when that has spaces.
 */
const ISSUE_LINE = /SSH host key: (SHA256:[A-Za-z0-9+/]+)(?: (\S+))?\s*$/;

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

/**
 * The host key fingerprints a login prompt shows (`SHA256:…`, with ssh-keygen's key type when
 * the line names it): Fedora CoreOS's console-login-helper-messages puts them in /etc/issue, so
 * its serial getty prints them at every prompt (an Ignition guest has no cloud-init to print the
 * keys). The last run of such lines wins (the latest prompt).
 */
export function consoleHostKeyFingerprints(text: string): { fingerprint: string; type?: string }[] {
  const lines = text.split(/\r?\n/);
  let end = lines.findLastIndex((line) => ISSUE_LINE.test(line));
  const shown: { fingerprint: string; type?: string }[] = [];
  for (; end >= 0; end--) {
    const match = ISSUE_LINE.exec(lines[end]!);
    if (!match) break;
    const type = /^\(([A-Z0-9-]+)\)$/.exec(match[2] ?? '')?.[1];
    shown.unshift(type ? { fingerprint: match[1]!, type } : { fingerprint: match[1]! });
  }
  return shown;
}

export type ConsoleHostKeyCheck = { kind: 'matched'; fingerprint: string } | { kind: 'not-printed' };

function refuse(vm: string, want: PublicKey, printed: string[]): never {
  throw new AtomlabError(`${vm}: the console shows host keys that are not the one atomlab gave it (${fingerprint(want.blob)})`, {
    code: 'FAILED',
    context: { vm, printed },
    hint: 'another machine may answer at this address, or the image replaces host keys: do not log in; run atomlab down and up again',
  });
}

/**
 * Checks the host key a VM was given against what its console shows: the keys cloud-init
 * printed, and the fingerprints a login prompt shows (console-login-helper-messages, as on
 * Fedora CoreOS). A console that shows host keys but not this one means a different machine
 * answers (or its keys were replaced): refused. Nothing shown (yet) says nothing either way; the
 * SSH login pins the key whatever the console says.
 */
export function checkConsoleHostKey(text: string, pinned: string, vm: string): ConsoleHostKeyCheck {
  const want = parsePublicKey(pinned);
  const wanted = fingerprint(want.blob);
  const keys = consoleHostKeys(text).map(parsePublicKey);
  const issued = consoleHostKeyFingerprints(text);
  const shown = [...keys.map((key) => `${key.type} ${fingerprint(key.blob)}`), ...issued.map((line) => `${line.type ?? '?'} ${line.fingerprint}`)];
  if (shown.length === 0) return { kind: 'not-printed' };
  const inBlock = keys.length === 0 || keys.some((key) => key.type === want.type && key.blob.equals(want.blob));
  const atPrompt = issued.length === 0 || issued.some((line) => line.fingerprint === wanted);
  if (!inBlock || !atPrompt) refuse(vm, want, shown);
  return { kind: 'matched', fingerprint: wanted };
}
