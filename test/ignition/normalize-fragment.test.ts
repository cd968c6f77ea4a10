import test from 'ava';
import { dataUrl, ignitionKey, normalizeFragment } from '../../lab/ignition/index.js';

test('Butane snake_case keys become Ignition camelCase (MiB spelled as Ignition spells it)', (t) => {
  t.is(ignitionKey('ssh_authorized_keys'), 'sshAuthorizedKeys');
  t.is(ignitionKey('password_hash'), 'passwordHash');
  t.is(ignitionKey('start_mib'), 'startMiB');
  t.is(ignitionKey('size_mib'), 'sizeMiB');
  t.is(ignitionKey('wipe_table'), 'wipeTable');
  t.is(ignitionKey('sshAuthorizedKeys'), 'sshAuthorizedKeys', 'Ignition spelling stays');
});

test('inline contents become data URLs; the Butane header and ignition.version are dropped', (t) => {
  const { config, problems } = normalizeFragment({ variant: 'fcos', version: '1.5.0', ignition: { version: '3.4.0' }, storage: { files: [{ path: '/a', contents: { inline: 'x y\n' } }] } });
  t.deepEqual(problems, []);
  t.deepEqual(config, { ignition: {}, storage: { files: [{ path: '/a', contents: { source: dataUrl('x y\n') } }] } });
});

test('mode: 0644 as written means octal (YAML 1.2 read it as 644); strings too', (t) => {
  const written = (path: (string | number)[]) => (path.join('.') === 'storage.files.0.mode' ? '0644' : undefined);
  const { config } = normalizeFragment({ storage: { files: [{ path: '/a', mode: 644 }, { path: '/b', mode: '0755' }, { path: '/c', mode: 420 }] } }, { written });
  t.deepEqual((config.storage as { files: { mode: number }[] }).files.map((f) => f.mode), [0o644, 0o755, 420]);
});

test('paths in the Ignition shape lead back to what was written', (t) => {
  const normalized = normalizeFragment({ passwd: { users: [{ name: 'a', ssh_authorized_keys: ['k'] }] }, storage: { files: [{ path: '/a', contents: { inline: 'x' } }] } });
  t.deepEqual(normalized.sourcePath(['passwd', 'users', 0, 'sshAuthorizedKeys', 0]), ['passwd', 'users', 0, 'ssh_authorized_keys', 0]);
  t.deepEqual(normalized.sourcePath(['storage', 'files', 0, 'contents', 'source']), ['storage', 'files', 0, 'contents', 'inline']);
  t.deepEqual(normalized.sourcePath(['storage', 'files', 0, 'nothere']), ['storage', 'files', 0, 'nothere']);
});

test('Butane sugar that needs files beside the config is refused at its path', (t) => {
  const { problems } = normalizeFragment({ storage: { files: [{ path: '/a', contents: { local: 'a.txt' } }] } });
  t.deepEqual(problems.map((p) => p.path), [['storage', 'files', 0, 'contents', 'local']]);
  t.regex(problems[0]!.message, /not supported/);
});

test('keepInline leaves inline contents for templates filled later', (t) => {
  const { config } = normalizeFragment({ storage: { files: [{ path: '/a', contents: { inline: '{{serve.x}}' } }] } }, { keepInline: true });
  t.deepEqual(config, { storage: { files: [{ path: '/a', contents: { inline: '{{serve.x}}' } }] } });
});
