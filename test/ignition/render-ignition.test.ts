import test from 'ava';
import { generateKeyPair } from '../../lab/cidata/index.js';
import { hashPassword, normalizeFragment, renderIgnition, validateIgnition, type IgnitionConfig, type IgnitionInput } from '../../lab/ignition/index.js';

const hostKey = generateKeyPair('root@web1');
const userKey = generateKeyPair('atomlab@lab');

function input(extra: Partial<IgnitionInput> = {}): IgnitionInput {
  return { version: '3.3.0', hostname: 'web1.lab.test', user: 'core', passwordHash: hashPassword('atomic'), authorizedKeys: [userKey.publicKey], hostKey, ...extra };
}

type File = { path: string; mode: number; overwrite: boolean; contents: { source: string } };
const files = (config: IgnitionConfig) => (config.storage as { files: File[] }).files;
const fileAt = (config: IgnitionConfig, path: string) => files(config).find((file) => file.path === path);
const decode = (source: string) => (source.startsWith('data:;base64,') ? Buffer.from(source.slice(13), 'base64').toString('utf8') : decodeURIComponent(source.slice(6)));

test('the generated config passes ignition-validate (the real judge), with and without a password', async (t) => {
  for (const config of [renderIgnition(input()), renderIgnition(input({ passwordHash: undefined, hostKey: undefined }))]) {
    const verdict = await validateIgnition(config);
    t.true(verdict.valid, verdict.findings.map((f) => f.message).join('\n'));
    t.deepEqual(verdict.findings, []);
  }
});

test('user, keys and password hash; hostname, sudo and host key files with their modes', (t) => {
  const config = renderIgnition(input());
  const [user] = (config.passwd as { users: Record<string, unknown>[] }).users;
  t.is(user!.name, 'core');
  t.deepEqual(user!.sshAuthorizedKeys, [userKey.publicKey]);
  t.regex(user!.passwordHash as string, /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
  t.is(decode(fileAt(config, '/etc/hostname')!.contents.source), 'web1.lab.test\n');
  t.is(fileAt(config, '/etc/hostname')!.mode, 0o644);
  t.is(fileAt(config, '/etc/sudoers.d/atomlab-core')!.mode, 0o440);
  t.is(decode(fileAt(config, '/etc/ssh/ssh_host_ed25519_key')!.contents.source), hostKey.privateKey);
  t.is(fileAt(config, '/etc/ssh/ssh_host_ed25519_key')!.mode, 0o600);
  t.is(decode(fileAt(config, '/etc/ssh/ssh_host_ed25519_key.pub')!.contents.source), `${hostKey.publicKey}\n`);
  t.is(fileAt(config, '/etc/ssh/ssh_host_ed25519_key.pub')!.mode, 0o644);
  t.true(files(config).every((file) => file.overwrite), 'the image has /etc/hostname already: overwrite it');
  t.regex(decode(fileAt(config, '/etc/ssh/sshd_config.d/20-enable-passwords.conf')!.contents.source), /^PasswordAuthentication yes$/m);
});

test('without a password: no hash, and SSH password logins stay as the image has them', (t) => {
  const config = renderIgnition(input({ passwordHash: undefined }));
  t.false('passwordHash' in (config.passwd as { users: Record<string, unknown>[] }).users[0]!);
  t.is(fileAt(config, '/etc/ssh/sshd_config.d/20-enable-passwords.conf'), undefined);
});

test('a Butane-shaped fragment merges the way Ignition merges: same path replaces, keys append, the rest adds', async (t) => {
  const fragment = normalizeFragment({
    passwd: { users: [{ name: 'core', ssh_authorized_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKey other@host'], groups: ['wheel'] }, { name: 'ops' }] },
    storage: { files: [{ path: '/etc/hostname', mode: 0o600, contents: { inline: 'custom\n' } }, { path: '/etc/motd', contents: { inline: 'hi\n' } }] },
    systemd: { units: [{ name: 'hello.service', enabled: true, contents: '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' }] },
  }).config;
  const config = renderIgnition(input({ fragment }));
  const users = (config.passwd as { users: Record<string, unknown>[] }).users;
  t.deepEqual(users.map((u) => u.name), ['core', 'ops']);
  t.deepEqual(users[0]!.sshAuthorizedKeys, [userKey.publicKey, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKey other@host']);
  t.deepEqual(users[0]!.groups, ['wheel']);
  t.is(files(config).filter((file) => file.path === '/etc/hostname').length, 1);
  t.is(fileAt(config, '/etc/hostname')!.mode, 0o600);
  t.is(decode(fileAt(config, '/etc/hostname')!.contents.source), 'custom\n');
  t.is(decode(fileAt(config, '/etc/motd')!.contents.source), 'hi\n');
  const verdict = await validateIgnition(config);
  t.true(verdict.valid, verdict.text);
});
