import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createProvider } from '../../../providers/libvirt/index.js';
import { buildRecipe } from '../../../lab/recipes/index.js';
import { hasSnapshots, type Endpoint } from '../../../lab/provider/index.js';
import { ensureLibvirtd, type Libvirtd } from '../../fixtures/libvirtd.js';
import { vmPlan } from '../../fixtures/libvirt/vm-plan.js';
import { createRequest } from '../../fixtures/libvirt/create-request.js';
import { removePool } from '../../fixtures/libvirt/remove-pool.js';

/**
 * Boots the project's tiny test guest (built by images/recipes/tiny into the recipe cache) under
 * libvirt: real SSH login with the seed's key, then snapshot → change a file → revert → the change
 * is gone. Skips, saying why, when the guest image has not been built on this machine.
 */
const run = promisify(execFile);
let daemon: Libvirtd | undefined;
let image: string | undefined;
let root: string;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'atomlab-libvirt-guest-'));
  image = (await buildRecipe('tiny')).path; // built once per machine, then a cache hit
  daemon = await ensureLibvirtd();
});

test.after.always(async () => {
  await daemon?.stop();
  await rm(root, { recursive: true, force: true });
});

async function seed(dir: string, publicKey: string): Promise<string> {
  const userData = `#cloud-config\nssh_authorized_keys:\n  - ${publicKey.trim()}\n`;
  await writeFile(join(dir, 'user-data'), userData);
  await writeFile(join(dir, 'meta-data'), 'instance-id: libvirt-guest-test\nlocal-hostname: tinyvm\n');
  await run('cloud-localds', [join(dir, 'seed.iso'), join(dir, 'user-data'), join(dir, 'meta-data')]);
  return join(dir, 'seed.iso');
}

function ssh(key: string, endpoint: Endpoint, command: string): Promise<string> {
  const options = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=10', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'];
  return run('ssh', [...options, '-i', key, '-p', String(endpoint.port), `fedora@${endpoint.host}`, command], { timeout: 60_000 }).then((r) => r.stdout.trim());
}

async function sshRetry(key: string, endpoint: Endpoint, command: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await ssh(key, endpoint, command);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(2000);
    }
  }
}

async function loginSnapshotRevert(t: ExecutionContext, uri: string, label: string): Promise<void> {
  const dir = join(root, label);
  await mkdir(dir, { recursive: true });
  const key = join(dir, 'key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const seedIso = await seed(dir, await readFile(`${key}.pub`, 'utf8'));
  const poolName = `atomlab-guest-${label}-${process.pid}`;
  const provider = createProvider({ uri, pool: poolName, poolPath: join(dir, 'pool') });
  t.teardown(() => removePool(uri, poolName));
  const plan = vmPlan({ lab: `guest${process.pid}`, name: label, memoryMiB: 512 });
  const workspace = { dir, base: image!, seedIso, consoleLog: join(dir, 'console.log') };
  const vm = await provider.create(await createRequest(plan, workspace));
  try {
    await provider.start(vm);
    const endpoint = await provider.endpoint(vm);
    t.is(await sshRetry(key, endpoint, 'id -un', 600_000), 'fedora');
    await ssh(key, endpoint, 'echo before > marker && sync');
    if (!hasSnapshots(provider)) return t.fail('snapshots expected');
    await provider.snapshot(vm, 'clean');
    await ssh(key, endpoint, 'echo after > marker && sync');
    t.is(await ssh(key, endpoint, 'cat marker'), 'after');
    await provider.revert(vm, 'clean');
    t.is(await provider.state(vm), 'running');
    t.is(await sshRetry(key, endpoint, 'cat marker', 300_000), 'before', 'the change made after the snapshot is gone');
  } finally {
    await provider.destroy(vm);
  }
  t.is(await provider.state(vm), 'missing');
  t.deepEqual(await readdir(join(dir, 'pool')), [], 'no volume file left');
}

test.serial('tiny guest on qemu:///system: SSH login, snapshot, change, revert, change gone', async (t) => {
  if (!daemon) return t.fail('libvirtd did not start');
  await loginSnapshotRevert(t, daemon.localUri, 'local');
});

test.serial('tiny guest over qemu+tcp://127.0.0.1: the same through the remote-style URI', async (t) => {
  if (!daemon) return t.fail('libvirtd did not start');
  if (!daemon.tcpUri) return t.fail('the running libvirtd does not listen on TCP (start it with scripts/libvirtd)');
  await loginSnapshotRevert(t, daemon.tcpUri, 'tcp');
});
