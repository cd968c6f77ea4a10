import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { buildRecipe } from '../../../lab/recipes/index.js';
import { DesktopProvider } from '../../../providers/vmware/index.js';
import { vmwareOptions } from '../../../providers/vmware/options.js';
import { installFakeVmrun, type FakeVmrun } from '../../fixtures/fake-vmrun.js';
import { createRequest, vmwarePlan } from '../../fixtures/vmware-request.js';

/**
 * The data path for real: the tiny test guest converted by qemu-img to the vmdk subformats the
 * provider uses (each passes qemu-img check), then the Player path boots it: the provider's .vmx
 * (its vmdk copy, the NoCloud seed CD-ROM, the serial file) is started by the fake vmrun in QEMU,
 * and a real SSH login with the seed's key proves the guest read the seed. QEMU stands in for
 * VMware here; the README says so.
 */
const run = promisify(execFile);
let fake: FakeVmrun;
let root: string;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'atomlab-vmdk-boot-'));
  fake = await installFakeVmrun();
});
test.after.always(async () => {
  await fake.cleanup();
  await rm(root, { recursive: true, force: true });
});

async function vmdk(source: string, subformat: string): Promise<string> {
  const path = join(root, `tiny-${subformat}.vmdk`);
  await run('qemu-img', ['convert', '-O', 'vmdk', '-o', `subformat=${subformat},adapter_type=lsilogic`, source, path]);
  await run('qemu-img', ['check', '-f', 'vmdk', path]);
  return path;
}

async function sshRetry(key: string, host: string, command: string, timeoutMs: number): Promise<string> {
  const options = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=10', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (await run('ssh', [...options, '-i', key, `fedora@${host}`, command], { timeout: 60_000 })).stdout.trim();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(3000);
    }
  }
}

test('the tiny guest as a Player VM: vmdk copy + NoCloud CD-ROM + serial file, booted by the fake vmrun in QEMU, logs in', async (t) => {
  const image = (await buildRecipe('tiny')).path;
  await vmdk(image, 'streamOptimized');
  const disk = await vmdk(image, 'monolithicSparse');
  const key = join(root, 'key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  await writeFile(join(root, 'user-data'), `#cloud-config\nssh_authorized_keys:\n  - ${(await readFile(`${key}.pub`, 'utf8')).trim()}\n`);
  await writeFile(join(root, 'meta-data'), 'instance-id: vmware-boot-test\nlocal-hostname: tinyvm\n');
  await run('cloud-localds', [join(root, 'seed.iso'), join(root, 'user-data'), join(root, 'meta-data')]);
  process.env.FAKE_VMRUN_GUEST = 'qemu';
  const provider = new DesktopProvider({ ...vmwareOptions.parse({ target: 'player', vmrun: fake.binary }), target: 'player' });
  const base = { path: disk, format: 'vmdk' as const, subformat: 'monolithicSparse', digest: 'sha256-tiny', virtualBytes: 0 };
  const seed = { kind: 'drive' as const, transport: 'nocloud' as const, path: join(root, 'seed.iso'), filesystem: 'iso9660' as const, label: 'cidata' as const, attachAs: 'cdrom' as const };
  const ref = await provider.create(createRequest({ plan: vmwarePlan({ name: 'tiny', memoryMiB: 256 }), dir: join(root, 'vm'), base, seed }));
  try {
    await provider.start(ref);
    const endpoint = await provider.endpoint(ref);
    t.is(await sshRetry(key, endpoint.host, 'id -un', 600_000), 'fedora');
    t.regex(await readFile(join(root, 'vm', 'console.log'), 'utf8'), /\S/, 'the serial file is the console');
  } finally {
    await provider.destroy(ref);
    delete process.env.FAKE_VMRUN_GUEST;
  }
  t.is(await provider.state(ref), 'missing');
  t.deepEqual(await fake.problems(), []);
});
