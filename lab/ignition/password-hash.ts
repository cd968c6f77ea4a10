import { randomBytes } from 'node:crypto';
import { encrypt, verify } from 'unixcrypt';

/** crypt(3)'s salt alphabet: `./0-9A-Za-z`. */
const SALT_CHARS = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function newSalt(length = 16): string {
  return [...randomBytes(length)].map((byte) => SALT_CHARS[byte % SALT_CHARS.length]).join('');
}

/**
 * A sha512-crypt hash (`$6$<16 salt chars>$…`, 5000 rounds) as /etc/shadow holds it and as
 * Ignition's `passwordHash` takes it. Ignition never sees the password itself. unixcrypt is a
 * pure TypeScript implementation of Drepper's SHA-crypt: no host tool at render time, and
 * `openssl passwd -6` and the guest's own login judge its output in the tests.
 */
export function hashPassword(password: string, salt = newSalt()): string {
  return encrypt(password, `$6$${salt}`);
}

/** Whether a crypt hash (`$5$`, `$6$`) matches a password. */
export function passwordMatches(password: string, hash: string): boolean {
  return verify(password, hash);
}
