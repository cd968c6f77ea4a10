import test from 'ava';
import { execFileSync } from 'node:child_process';
import { hashPassword, passwordMatches } from '../../lab/ignition/index.js';

test('sha512-crypt hashes equal openssl passwd -6 for the same salt (an outside judge)', (t) => {
  for (const [password, salt] of [['atomic', 'abcdefgh'], ['p@ss word:with,punct', 'Zz./09AaBbCcDdEe'], ['ünïcödé', 'saltsalt']] as const) {
    const openssl = execFileSync('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: password, encoding: 'utf8' }).trim();
    t.is(hashPassword(password, salt), openssl);
  }
});

test('a fresh 16-character salt each time, and the hash verifies', (t) => {
  const one = hashPassword('atomic');
  const two = hashPassword('atomic');
  t.not(one, two);
  t.regex(one, /^\$6\$[./0-9A-Za-z]{16}\$/);
  t.true(passwordMatches('atomic', one));
  t.false(passwordMatches('Atomic', one));
});
