import test from 'ava';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { labDir, portAnswers, processesMentioning } from '../helpers/lab.js';

// Boots real guests under QEMU (TCG): serial, generous timeouts, no timing assertions.
const LONG = { timeoutMs: 15 * 60_000 };

interface Report {
  lab: string;
  vms: { name: string; provider: string; state: string; action?: string; ssh?: { host: string; port: number; user: string }; login: { verified: boolean; methods: string[]; hostKey?: string }; timings?: Record<string, number> }[];
}

const ONE_VM = `name: e2e-one
defaults:
  image: tiny
  memory: 256MiB
vms:
  - name: host1
    hostname: atomic-one
    login: { password: atomic }
`;

test.serial('up verifies key, password, host key, hostname and cloud-init; ssh works; a second up changes nothing; down leaves nothing', async (t) => {
  const { dir, file } = await labDir(ONE_VM);
  const up = await runCli(['up', file, '--json'], LONG);
  t.is(up.exitCode, 0, up.stderr);
  const report = JSON.parse(up.stdout) as Report;
  const vm = report.vms[0]!;
  t.is(report.lab, 'e2e-one');
  t.is(vm.state, 'running');
  t.is(vm.action, 'created');
  t.deepEqual(vm.login.methods, ['key', 'password']);
  t.true(vm.login.verified);
  t.regex(vm.login.hostKey ?? '', /^SHA256:/);
  t.is(vm.ssh?.host, '127.0.0.1');
  t.truthy(vm.timings?.total);

  const ssh = await runCli(['ssh', 'host1', '-s', file, '--', 'hostname'], LONG);
  t.is(ssh.exitCode, 0, ssh.stderr);
  t.is(ssh.stdout.trim(), 'atomic-one');
  const failing = await runCli(['ssh', 'host1', '-s', file, '--', 'exit 7'], LONG);
  t.is(failing.exitCode, 7, 'ssh passes the remote exit status on');

  const run = (command: string) => runCli(['ssh', 'host1', '-s', file, '--', command], LONG);
  t.is((await run('echo before > /var/tmp/marker && sync')).exitCode, 0);
  t.is((await runCli(['snapshot', 'host1', 'clean', '-s', file], LONG)).exitCode, 0);
  t.is((await run('echo after > /var/tmp/marker && sync')).exitCode, 0);
  const revert = await runCli(['revert', 'host1', 'clean', '-s', file], LONG);
  t.is(revert.exitCode, 0, revert.stderr);
  t.is((await run('cat /var/tmp/marker')).stdout.trim(), 'before', 'the change after the snapshot is gone');
  t.is((await runCli(['revert', 'host1', 'nope', '-s', file])).exitCode, 2, 'an unknown snapshot is bad input');

  const again = await runCli(['up', file, '--json'], LONG);
  t.is(again.exitCode, 0, again.stderr);
  t.is((JSON.parse(again.stdout) as Report).vms[0]!.action, 'unchanged');

  const status = await runCli(['status', file, '--json']);
  t.is((JSON.parse(status.stdout) as Report).vms[0]!.state, 'running');

  const down = await runCli(['down', file], LONG);
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(await processesMentioning(dir), []);
  t.false(await portAnswers(vm.ssh!.port));
  t.deepEqual(await readdir(dir), ['atomlab.yaml'], 'down removes .atomlab');
  const twice = await runCli(['down', file]);
  t.is(twice.exitCode, 0, 'down is idempotent');
});

test.serial('three VMs come up with --parallel 3', async (t) => {
  const { dir, file } = await labDir(`name: e2e-three
defaults: { image: tiny, memory: 256MiB }
vms:
  - name: a
  - name: b
  - name: c
`);
  try {
    const up = await runCli(['up', file, '--parallel', '3', '--json'], LONG);
    t.is(up.exitCode, 0, up.stderr);
    const report = JSON.parse(up.stdout) as Report;
    t.deepEqual(report.vms.map((vm) => [vm.name, vm.state, vm.login.verified]), [['a', 'running', true], ['b', 'running', true], ['c', 'running', true]]);
    t.is(new Set(report.vms.map((vm) => vm.ssh!.port)).size, 3);
  } finally {
    await runCli(['down', file], LONG);
  }
  t.deepEqual(await processesMentioning(dir), []);
});

test.serial('a seed with a user the image cannot log in as fails with "login refused"', async (t) => {
  const { dir, file } = await labDir(`name: e2e-wrong-user
defaults: { image: tiny, memory: 256MiB }
vms:
  - name: host1
    login: { user: nobody }
`);
  try {
    const up = await runCli(['up', file], LONG);
    t.is(up.exitCode, 1);
    t.regex(up.stderr, /key login as nobody was refused/);
  } finally {
    await runCli(['down', file], LONG);
  }
  t.deepEqual(await processesMentioning(dir), []);
});

test.serial('a guest that never boots fails fast with the console tail', async (t) => {
  const { dir, file } = await labDir(`name: e2e-no-boot
vms:
  - name: empty
    image: { path: empty.qcow2, format: qcow2 }
    memory: 64MiB
`);
  const { execFile } = await import('node:child_process');
  await new Promise((resolve, reject) => execFile('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'empty.qcow2'), '64M'], (e) => (e ? reject(e) : resolve(undefined))));
  try {
    const up = await runCli(['up', file], LONG);
    t.is(up.exitCode, 1);
    t.regex(up.stderr, /not ready at stage ssh: the disk does not boot \((No bootable device|not a bootable disk)\)/);
    t.regex(up.stderr, /last lines:[\s\S]*\| .*(Boot failed|No bootable device)/);
  } finally {
    await runCli(['down', file], LONG);
  }
  t.deepEqual(await processesMentioning(dir), []);
  await t.throwsAsync(access(join(dir, '.atomlab')));
});

test.serial('SIGKILL of atomlab up mid-boot, then down, leaves nothing behind', async (t) => {
  const { dir, file } = await labDir(ONE_VM.replace('e2e-one', 'e2e-killed'));
  const { spawn } = await import('node:child_process');
  const { BIN } = await import('../helpers/run-cli.js');
  const child = spawn(process.execPath, [BIN, 'up', file], { stdio: 'ignore' });
  const pidFile = join(dir, '.atomlab', 'vms', 'host1', 'qemu.pid');
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline && !(await access(pidFile).then(() => true, () => false))) await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('close', resolve));
  t.true((await processesMentioning(dir)).length > 0, 'QEMU was running when atomlab died');
  const down = await runCli(['down', file], LONG);
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(await processesMentioning(dir), []);
  t.deepEqual(await readdir(dir), ['atomlab.yaml']);
});

test.serial('the real cloud-init guest comes up verified: key, password, host key, hostname, cloud-init done', async (t) => {
  const { dir, file } = await labDir(`name: e2e-cloudinit
vms:
  - name: deb
    image: cloudinit
    hostname: real-cloud-init
    memory: 1GiB
    login: { password: generate }
`);
  try {
    const up = await runCli(['up', file, '--json'], { timeoutMs: 25 * 60_000 });
    t.is(up.exitCode, 0, up.stderr);
    const vm = (JSON.parse(up.stdout) as Report).vms[0]!;
    t.true(vm.login.verified);
    t.deepEqual(vm.login.methods, ['key', 'password']);
    const ssh = await runCli(['ssh', 'deb', '-s', file, '--', 'cloud-init status; hostname; sudo -n true && echo sudo-ok'], LONG);
    t.is(ssh.exitCode, 0, ssh.stderr);
    t.regex(ssh.stdout, /status: done\nreal-cloud-init\nsudo-ok/);
  } finally {
    await runCli(['down', file], LONG);
  }
  t.deepEqual(await processesMentioning(dir), []);
});
