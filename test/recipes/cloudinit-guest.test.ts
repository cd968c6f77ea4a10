import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from '../../lab/host/index.js';
import { buildRecipe } from '../../lab/recipes/index.js';
import { ed25519, publicBlob, type KeyPair } from './helpers/guest-keys.js';
import { QemuGuest } from './helpers/qemu-guest.js';
import { makeSeed } from './helpers/seed.js';
import { sshRun, waitForSsh, type Login } from './helpers/ssh.js';

const hasQemu = Boolean(await which('qemu-system-x86_64'));
const guestTest = hasQemu ? test.serial : test.serial.skip;
if (!hasQemu) console.log('skipping cloudinit guest boots: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)');

const BOOT_MS = 600_000; // real cloud-init under TCG: about a minute, several under load

async function bootCloudinit(t: ExecutionContext, userData: object, hostname: string): Promise<{ guest: QemuGuest; login: Login }> {
  const { path } = await buildRecipe('cloudinit', { log: (line) => t.log(line) });
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-cloudinit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const seed = await makeSeed(dir, userData, { 'instance-id': `iid-${hostname}`, 'local-hostname': hostname });
  const started = Date.now();
  const guest = await QemuGuest.start({ base: path, seed, dir, memoryMiB: 1024 });
  t.teardown(() => guest.stop());
  const key = (userData as { key: KeyPair }).key;
  const login: Login = { port: guest.sshPort, username: 'fedora', privateKey: key.private };
  await waitForSsh(login, BOOT_MS);
  t.log(`QEMU start -> SSH login: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // passwords are set in a later stage than keys: judge them only once cloud-init is done
  const status = await sshRun(login, 'cloud-init status --wait');
  t.regex(status.stdout, /status: done/);
  return { guest, login };
}

function userData(key: KeyPair, host: KeyPair, extra: object): object {
  const data = {
    ssh_authorized_keys: [key.public],
    ssh_keys: { ed25519_private: host.private, ed25519_public: host.public },
    password: 'atomic-pw',
    chpasswd: { expire: false },
    ...extra,
  };
  return Object.defineProperty(data, 'key', { value: key, enumerable: false });
}

guestTest('cloudinit: key login as fedora, hostname, pinned host key, password SSH with ssh_pwauth', async (t) => {
  t.timeout(30 * 60_000);
  const key = ed25519('atomlab-test');
  const host = ed25519('root@citest');
  const { guest, login } = await bootCloudinit(t, userData(key, host, { ssh_pwauth: true }), 'citest');
  const result = await sshRun(login, 'hostname; sudo -n id -u');
  t.is(result.stdout, 'citest\n0\n');
  t.is(result.hostKey, publicBlob(host.public), 'the host key offered is the one given in ssh_keys');
  t.is((await sshRun({ port: guest.sshPort, username: 'fedora', password: 'atomic-pw' }, 'id -un')).stdout, 'fedora\n');
  t.regex(guest.console, /Cloud-init v\. \S+ finished at/);
  t.regex(guest.console, /-----BEGIN SSH HOST KEY KEYS-----/);
});

guestTest('cloudinit: password SSH refused without ssh_pwauth', async (t) => {
  t.timeout(30 * 60_000);
  const key = ed25519('atomlab-test');
  const host = ed25519('root@cinopw');
  const { guest, login } = await bootCloudinit(t, userData(key, host, {}), 'cinopw');
  t.is((await sshRun(login, 'hostname')).stdout, 'cinopw\n');
  await t.throwsAsync(sshRun({ port: guest.sshPort, username: 'fedora', password: 'atomic-pw' }, 'true'));
});
