import test from 'ava';
import { generateKeyPair } from '../../lab/cidata/index.js';
import { AtomlabError } from '../../lab/errors/index.js';
import { checkConsoleHostKey, consoleHostKeyFingerprints, consoleHostKeys, fingerprint, parsePublicKey } from '../../lab/ssh/index.js';
import { cloudInitConsole } from '../fixtures/clouds/cloud-init-console.js';
import { coreosConsole } from '../fixtures/clouds/coreos-console.js';

const blob = (key: string) => key.split(' ').slice(0, 2).join(' ');

test('the keys cloud-init\'s own script prints are read back, with or without a console prefix', async (t) => {
  const ed = generateKeyPair('root@vm1');
  for (const prefix of ['', 'ec2: ', '[   12.3] cloud-init[731]: ']) {
    const text = await cloudInitConsole([ed.publicKey], prefix);
    t.deepEqual(consoleHostKeys(text), [blob(ed.publicKey)]);
  }
});

test('the pinned key among the printed ones matches; a console without the block says nothing', async (t) => {
  const ed = generateKeyPair('root@vm1');
  const other = generateKeyPair('root@vm1');
  const text = await cloudInitConsole([other.publicKey, ed.publicKey]);
  t.is(checkConsoleHostKey(text, ed.publicKey, 'vm1').kind, 'matched');
  t.deepEqual(checkConsoleHostKey('[    0.0] Linux version 6.1\nlogin: ', ed.publicKey, 'vm1'), { kind: 'not-printed' });
});

test('a console showing other host keys is refused', async (t) => {
  const pinned = generateKeyPair('root@vm1');
  const text = await cloudInitConsole([generateKeyPair('root@evil').publicKey]);
  const error = t.throws(() => checkConsoleHostKey(text, pinned.publicKey, 'vm1'), { instanceOf: AtomlabError });
  t.regex(error.message, /vm1: the console shows host keys that are not the one atomlab gave it/);
});

test('the last complete block wins (a reboot with new keys)', async (t) => {
  const first = generateKeyPair('a');
  const second = generateKeyPair('b');
  const text = (await cloudInitConsole([first.publicKey])) + (await cloudInitConsole([second.publicKey])) + '-----BEGIN SSH HOST KEY KEYS-----\n';
  t.deepEqual(consoleHostKeys(text), [blob(second.publicKey)]);
});

test('an Ignition guest\'s login prompt (console-login-helper-messages\' own pipeline): the pinned ed25519 fingerprint matches, another is refused', async (t) => {
  const pinned = generateKeyPair('root@vm1');
  const text = await coreosConsole([pinned], 'ec2: ');
  const shown = consoleHostKeyFingerprints(text);
  const wanted = fingerprint(parsePublicKey(pinned.publicKey).blob);
  t.deepEqual(shown.map((line) => line.type).sort(), ['ECDSA', 'ED25519'], 'ours, and the ECDSA key sshd-keygen made');
  t.true(shown.some((line) => line.type === 'ED25519' && line.fingerprint === wanted));
  t.deepEqual(consoleHostKeys(text), [], 'no cloud-init block');
  t.deepEqual(checkConsoleHostKey(text, pinned.publicKey, 'vm1'), { kind: 'matched', fingerprint: wanted });
  const other = await coreosConsole([generateKeyPair('root@evil')]);
  const error = t.throws(() => checkConsoleHostKey(other, pinned.publicKey, 'vm1'), { instanceOf: AtomlabError });
  t.regex(error.message, /vm1: the console shows host keys that are not the one atomlab gave it/);
  t.true((error.context.printed as string[]).some((line) => /^ED25519 SHA256:/.test(line)));
});

test('the latest prompt\'s lines count (a reboot that changed the keys is refused); a line whose comment hid the type still counts', async (t) => {
  const pinned = generateKeyPair('root@vm1');
  const before = await coreosConsole([pinned]);
  const after = await coreosConsole([generateKeyPair('root@evil')]);
  t.throws(() => checkConsoleHostKey(`${before}\n${after}`, pinned.publicKey, 'vm1'), { instanceOf: AtomlabError });
  t.is(checkConsoleHostKey(`${after}\n${before}`, pinned.publicKey, 'vm1').kind, 'matched');
  // ssh-keygen -l's 4th field is a word of a comment with spaces: `… root@h x (ED25519)` shows as `… x`
  const wanted = fingerprint(parsePublicKey(pinned.publicKey).blob);
  t.deepEqual(consoleHostKeyFingerprints(`SSH host key: ${wanted} x\n`), [{ fingerprint: wanted }]);
  t.is(checkConsoleHostKey(`SSH host key: ${wanted} x\nlocalhost login: `, pinned.publicKey, 'vm1').kind, 'matched');
});

test('a console with both cloud-init\'s block and a login prompt must agree with the pin in both', async (t) => {
  const pinned = generateKeyPair('root@vm1');
  const block = await cloudInitConsole([pinned.publicKey]);
  t.is(checkConsoleHostKey(block + (await coreosConsole([pinned])), pinned.publicKey, 'vm1').kind, 'matched');
  const prompt = await coreosConsole([generateKeyPair('x')]);
  t.throws(() => checkConsoleHostKey(block + prompt, pinned.publicKey, 'vm1'), { instanceOf: AtomlabError });
});
