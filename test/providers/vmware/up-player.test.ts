import test from 'ava';
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { buildRecipe } from '../../../lab/recipes/index.js';
import { parseVmx } from '../../../providers/vmware/vmx.js';
import { vmxProblems } from '../../fixtures/fake-vmrun/contract.js';
import { installFakeVmrun, type FakeVmrun } from '../../fixtures/fake-vmrun.js';
import { ROOT, runCli } from '../../helpers/run-cli.js';

/**
 * `atomlab up scenarios/atomic-vmware-player.yaml` on the Player path, under the recorded vmrun
 * contract: the fake vmrun is `vmrun` on PATH, checks every command line and the .vmx, and (its
 * qemu mode) boots the provider's own VM — the engine's monolithicSparse vmdk copy, the seed
 * CD-ROM, the serial file — in QEMU, where the engine's readiness logs in for real. The
 * scenario's self-built Atomic image is replaced by the tiny test guest (which reads NoCloud).
 * One boot; no timing assertions.
 */
const run = promisify(execFile);
const LONG = { timeoutMs: 30 * 60_000 };
let fake: FakeVmrun;
let root: string;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'atomlab-up-vmware-'));
  fake = await installFakeVmrun();
});
test.after.always(async () => {
  await fake.cleanup();
  await rm(root, { recursive: true, force: true });
});

async function scenario(image: string): Promise<string> {
  const doc = parseDocument(await readFile(join(ROOT, 'scenarios', 'atomic-vmware-player.yaml'), 'utf8'));
  doc.setIn(['defaults', 'image'], { path: image, format: 'qcow2', user: 'fedora' });
  doc.setIn(['defaults', 'memory'], '256MiB');
  doc.setIn(['defaults', 'seed'], 'nocloud');
  const file = join(root, 'atomic-vmware-player.yaml');
  await writeFile(file, doc.toString());
  return file;
}

test.serial('atomlab up of the VMware Player scenario reaches a verified login under the vmrun contract; down leaves nothing', async (t) => {
  const tiny = (await buildRecipe('tiny')).path;
  const streamOptimized = join(root, 'tiny-stream.vmdk');
  await run('qemu-img', ['convert', '-O', 'vmdk', '-o', 'subformat=streamOptimized,adapter_type=lsilogic', tiny, streamOptimized]);
  await run('qemu-img', ['check', streamOptimized]);
  const file = await scenario(tiny);
  const env = { PATH: `${fake.bin}:${process.env.PATH ?? ''}`, FAKE_VMRUN_STATE: fake.stateDir, FAKE_VMRUN_GUEST: 'qemu' };
  try {
    const up = await runCli(['up', file], { ...LONG, env });
    t.is(up.exitCode, 0, up.stderr.slice(-3000));
    const ssh = await runCli(['ssh', 'atomic-00', '--', 'id', '-un'], { cwd: root, env, timeoutMs: 120_000 });
    t.is(ssh.stdout.trim(), 'fedora', ssh.stderr);
    const vmxPath = join(root, '.atomlab', 'vms', 'atomic-00', 'vmware', 'atomic-00.vmx');
    const vmx = parseVmx(await readFile(vmxPath, 'utf8'));
    t.deepEqual(vmxProblems(vmx), []);
    t.is(vmx.get('ethernet0.connectiontype'), 'nat');
    const disk = resolve(dirname(vmxPath), vmx.get('scsi0:0.filename') ?? '');
    // the running QEMU holds the disk's lock: -U reads it shared; the fake vmrun ran qemu-img check on it before it booted
    t.regex((await run('qemu-img', ['info', '-U', disk])).stdout, /create type: monolithicSparse/);
    t.regex(await readFile(vmx.get('serial0.filename') ?? '', 'utf8'), /\S/, 'the serial file is the console');
  } finally {
    const down = await runCli(['down', file], { ...LONG, env });
    t.is(down.exitCode, 0, down.stderr.slice(-2000));
  }
  t.false(await access(join(root, '.atomlab', 'vms', 'atomic-00', 'vmware')).then(() => true, () => false), 'the VM folder is gone');
  t.deepEqual(await fake.problems(), [], 'every vmrun command line and .vmx within the contract');
  t.true((await fake.calls()).some((argv) => argv.join(' ').includes('start') && argv.includes('nogui')));
});
