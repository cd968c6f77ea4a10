import test from 'ava';
import { readdir, rm } from 'node:fs/promises';
import { which } from '../../../lab/host/index.js';
import { installFakeVmrun, type FakeVmrun } from '../../fixtures/fake-vmrun.js';
import { labDir, processesMentioning } from '../../helpers/lab.js';
import { runCli } from '../../helpers/run-cli.js';

/**
 * A hypervisor matrix `provider: [qemu, vmware]`, as QA teams run theirs. Without vmrun on PATH
 * (this machine: VMware is not packaged for Debian) the vmware combination is reported skipped
 * with the reason and the qemu one runs. Then vmrun appears — the recorded-contract fake, whose
 * qemu guest boots the provider's own vmdk and seed CD-ROM — and `up` again runs the vmware
 * combination beside the qemu one it leaves as it was. Two tiny-guest boots in all; `down`
 * removes both. No timing assertions.
 */
const LONG = { timeoutMs: 20 * 60_000 };

interface VmReport { name: string; state: string; login: { verified: boolean } }
interface Report { combinations?: { key: string; skipped?: string; vms: VmReport[] }[] }

const SCENARIO = `name: hv-matrix
matrix:
  provider: [qemu, vmware]
defaults:
  image: tiny
  memory: 256MiB
  seed: nocloud
vms:
  - name: host1
`;

let fake: FakeVmrun;
test.before(async () => {
  fake = await installFakeVmrun();
});
test.after.always(() => fake.cleanup());

const combinations = (stdout: string) => (JSON.parse(stdout) as Report).combinations ?? [];
const summary = (stdout: string) => combinations(stdout).map((c) => [c.key, c.skipped ?? null, c.vms.map((vm) => [vm.name, vm.state, vm.login.verified])]);

test.serial('matrix [qemu, vmware]: the vmware combination is skipped with the reason without vmrun, and runs once vmrun is there', async (t) => {
  if (await which('vmrun')) {
    t.log('skipped: a vmrun is installed here, so the combination cannot be shown skipped (the live suite covers the real one)');
    t.pass();
    return;
  }
  const { dir, file } = await labDir(SCENARIO);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const withVmrun = { PATH: `${fake.bin}:${process.env.PATH ?? ''}`, FAKE_VMRUN_STATE: fake.stateDir, FAKE_VMRUN_GUEST: 'qemu' };
  const bootId = async (vm: string) => {
    const ssh = await runCli(['ssh', vm, '-s', file, '--', 'cat /proc/sys/kernel/random/boot_id'], LONG);
    t.is(ssh.exitCode, 0, ssh.stderr);
    return ssh.stdout.trim();
  };
  try {
    const first = await runCli(['up', file, '--json'], LONG);
    t.is(first.exitCode, 0, first.stderr.slice(-3000));
    const [qemu, vmware] = summary(first.stdout);
    t.deepEqual(qemu, ['qemu', null, [['host1', 'running', true]]]);
    t.is(vmware?.[0], 'vmware');
    t.regex(String(vmware?.[1]), /^vmware: VMware player: vmrun not found[\s\S]*hint: install VMware Workstation or Player[\s\S]*cannot be installed here\)$/);
    t.deepEqual(vmware?.[2], []);
    const qemuBoot = await bootId('qemu/host1');

    const second = await runCli(['up', file, '--json'], { ...LONG, env: withVmrun });
    t.is(second.exitCode, 0, second.stderr.slice(-3000));
    t.deepEqual(summary(second.stdout), [
      ['qemu', null, [['host1', 'running', true]]],
      ['vmware', null, [['host1', 'running', true]]],
    ]);
    t.is(await bootId('qemu/host1'), qemuBoot, 'the qemu combination was left running, not booted again');
    const user = await runCli(['ssh', 'vmware/host1', '-s', file, '--', 'id -un'], { ...LONG, env: withVmrun });
    t.is(user.stdout.trim(), 'fedora', user.stderr);
  } finally {
    const down = await runCli(['down', file, '--json'], { ...LONG, env: withVmrun });
    t.is(down.exitCode, 0, down.stderr.slice(-2000));
    t.deepEqual((JSON.parse(down.stdout) as { removed: string[] }).removed.sort(), ['qemu/host1', 'vmware/host1']);
  }
  t.deepEqual(await processesMentioning(dir), [], 'no QEMU left, neither the qemu provider\'s nor the one behind the fake vmrun');
  t.deepEqual(await readdir(dir), ['atomlab.yaml']);
  t.deepEqual(await fake.problems(), [], 'every vmrun command line and .vmx within the contract');
  t.true((await fake.calls()).some((argv) => argv[2] === 'start' && argv.at(-1) === 'nogui'));
});
