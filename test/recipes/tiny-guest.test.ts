import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { which } from '../../lab/host/index.js';
import { buildRecipe, recipesRoot } from '../../lab/recipes/index.js';
import { ed25519, publicBlob } from './helpers/guest-keys.js';
import { QemuGuest } from './helpers/qemu-guest.js';
import { makeSeed } from './helpers/seed.js';
import { serveDirectory } from './helpers/serve-directory.js';
import { sshRun, waitForSsh, type Login } from './helpers/ssh.js';

const run = promisify(execFile);
const hasQemu = Boolean(await which('qemu-system-x86_64'));
const guestTest = hasQemu ? test.serial : test.serial.skip;
if (!hasQemu) console.log('skipping tiny guest boots: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)');

const BOOT_MS = 240_000; // TCG under load: a 15 s boot can take a minute or more
const FINISHED = /Cloud-init v\. \S+ finished at/;

async function tempDir(t: ExecutionContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function bootTiny(t: ExecutionContext, userData: object, hostname: string): Promise<QemuGuest> {
  const { path } = await buildRecipe('tiny');
  const dir = await tempDir(t, 'atomlab-tiny-');
  const seed = await makeSeed(dir, userData, { 'instance-id': `iid-${hostname}`, 'local-hostname': hostname });
  const started = Date.now();
  const guest = await QemuGuest.start({ base: path, seed, dir });
  t.teardown(() => guest.stop());
  await guest.waitForConsole(FINISHED, BOOT_MS);
  t.log(`QEMU start -> cloud-init finished (SSH up): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return guest;
}

async function ssh(login: Login, command: string): Promise<string> {
  const result = await sshRun(login, command);
  if (result.code !== 0) throw new Error(`${command} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

async function rebootAndWait(t: ExecutionContext, guest: QemuGuest, login: Login): Promise<void> {
  const mark = guest.console.length;
  const started = Date.now();
  await sshRun(login, 'sudo systemctl reboot').catch(() => undefined);
  await guest.waitForConsole(FINISHED, BOOT_MS, mark);
  await waitForSsh(login, BOOT_MS);
  t.log(`reboot -> SSH login: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

interface Deployment { version: string; booted: boolean; checksum: string; id: string; serial: number; origin: string }
async function deployments(login: Login): Promise<Deployment[]> {
  return (JSON.parse(await ssh(login, 'rpm-ostree status --json')) as { deployments: Deployment[] }).deployments;
}
const bootedVersion = async (login: Login) => (await deployments(login)).find((d) => d.booted)?.version;

guestTest('tiny: cloud-config applied, logins and host key as given, upgrade and rollback across reboots', async (t) => {
  t.timeout(20 * 60_000);
  const user = ed25519('atomlab-test');
  const host = ed25519('root@tinytest');
  const repo = await tempDir(t, 'atomlab-repo-');
  await run(join(recipesRoot(), 'tiny', 'publish-update'), [join(repo, 'repo'), '--version', '2']);
  const http = await serveDirectory(repo);
  t.teardown(() => void http.server.close());
  const guest = await bootTiny(t, {
    password: 'atomic-pw',
    chpasswd: { expire: false, users: [{ name: 'root', password: 'root-pw', type: 'text' }] },
    ssh_pwauth: true,
    ssh_authorized_keys: [user.public],
    ssh_keys: { ed25519_private: host.private, ed25519_public: host.public },
    write_files: [
      { path: '/etc/ostree/remotes.d/tiny.conf', content: `[remote "tiny"]\nurl=http://10.0.2.2:${http.port}/repo\n` },
      { path: '/var/lib/atomlab-test/data', content: 'kept across deployments\n', permissions: '0600' },
    ],
    runcmd: ['echo ran > /var/tmp/runcmd-ran', ['sh', '-c', "echo 'two words' > /var/tmp/argv"]],
  }, 'tinytest');
  const login: Login = { port: guest.sshPort, username: 'fedora', privateKey: user.private };

  const first = await waitForSsh(login, BOOT_MS);
  t.is(first.hostKey, publicBlob(host.public), 'the host key offered is the one given in ssh_keys');
  t.is((await ssh(login, 'hostname')).trim(), 'tinytest');
  t.is((await ssh(login, 'sudo -n id -u')).trim(), '0');
  t.regex(await ssh(login, 'cloud-init status --wait'), /status: done/);
  t.is(await ssh(login, 'cat /var/tmp/runcmd-ran /var/tmp/argv'), 'ran\ntwo words\n');
  t.regex(guest.console, /-----BEGIN SSH HOST KEY FINGERPRINTS-----\r?\n.*256 SHA256:\S+ root@tinytest \(ED25519\)/);
  t.true(guest.console.replace(/\r/g, '').includes(`-----BEGIN SSH HOST KEY KEYS-----\nssh-ed25519 ${publicBlob(host.public)} root@tinytest`));
  t.is((await ssh({ port: guest.sshPort, username: 'fedora', password: 'atomic-pw' }, 'id -un')).trim(), 'fedora');
  await t.throwsAsync(sshRun({ port: guest.sshPort, username: 'root', password: 'root-pw' }, 'true'), undefined, 'root login is refused');

  const before = await deployments(login);
  t.is(before.length, 1);
  t.regex(await ssh(login, 'sudo rpm-ostree upgrade'), /Upgraded to version 2/);
  const staged = await deployments(login);
  t.deepEqual(staged.map((d) => [d.version, d.booted]), [['2', false], ['1', true]], 'takes effect only after a reboot');
  await rebootAndWait(t, guest, login);
  t.is(await bootedVersion(login), '2');
  t.is(await ssh(login, 'sudo cat /var/lib/atomlab-test/data'), 'kept across deployments\n');
  t.regex(await ssh(login, 'cat /etc/os-release'), /VERSION_ID=2/);

  t.regex(await ssh(login, 'sudo atomic host rollback'), /Moving '.*' to be first deployment/);
  await rebootAndWait(t, guest, login);
  t.is(await bootedVersion(login), '1');
  t.deepEqual((await deployments(login)).map((d) => d.version), ['1', '2']);
  t.is(await ssh(login, 'sudo cat /var/lib/atomlab-test/data'), 'kept across deployments\n');
});

guestTest('tiny: password SSH refused without ssh_pwauth, users list and default user', async (t) => {
  t.timeout(10 * 60_000);
  const user = ed25519('atomlab-test');
  const guest = await bootTiny(t, {
    hostname: 'tiny-nopw',
    users: ['default', { name: 'alice', groups: ['wheel'], shell: '/bin/sh', lock_passwd: false, ssh_authorized_keys: [user.public] }],
    ssh_authorized_keys: [user.public],
    chpasswd: { expire: false, list: 'fedora:fedora-pw\nalice:alice-pw\n' },
  }, 'tinymeta');
  const login: Login = { port: guest.sshPort, username: 'fedora', privateKey: user.private };
  await waitForSsh(login, BOOT_MS);
  t.is((await ssh(login, 'hostname')).trim(), 'tiny-nopw', 'cloud-config hostname wins over local-hostname');
  t.is((await ssh({ ...login, username: 'alice' }, 'id -Gn')).trim().split(' ').sort().join(' '), 'alice wheel');
  await t.throwsAsync(sshRun({ port: guest.sshPort, username: 'fedora', password: 'fedora-pw' }, 'true'));
  await t.throwsAsync(sshRun({ port: guest.sshPort, username: 'alice', password: 'alice-pw' }, 'true'));
  t.regex(await ssh(login, 'sudo grep ^alice: /etc/shadow'), /^alice:\$6\$/, 'the password was set, only SSH refuses it');
});
