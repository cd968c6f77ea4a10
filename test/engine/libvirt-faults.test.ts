import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { privateLibvirtd, type PrivateLibvirtd } from '../fixtures/private-libvirtd.js';
import { labDir, processesMentioning } from '../helpers/lab.js';
import { BIN, runCli, type CliResult } from '../helpers/run-cli.js';

// Faults of libvirt from outside atomlab, on one tiny guest and a libvirtd of this file's own
// (killed and started again by the tests): libvirtd restarted during `up` and during `run`, and
// the domain's QEMU killed behind libvirt's back. The tests run in order on the same lab.
const execFileP = promisify(execFile);
const LONG = { timeoutMs: 15 * 60_000 };

interface VmReport { name: string; state: string; action?: string; login: { verified: boolean } }
interface State { vms: Record<string, { ref?: { data: { domain: string } } }> }

let daemon: PrivateLibvirtd;
let lab: { dir: string; file: string };
const atomlab = () => join(lab.dir, '.atomlab');

test.before(async () => {
  daemon = await privateLibvirtd();
  lab = await labDir(`name: libvirt-faults
defaults: { image: tiny, memory: 256MiB, provider: { name: libvirt, uri: "${daemon.uri}" } }
vms:
  - name: host1
steps:
  - name: waits for the test's go
    run: touch /tmp/started; while [ ! -e /tmp/go ]; do sleep 1; done; echo survived
    timeout: 5m
`);
});

test.after.always(async () => {
  if (lab) await runCli(['down', lab.file], LONG);
  await daemon?.stop();
});

function spawnCli(args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  return once(child, 'close').then(([code]) => ({ exitCode: (code as number | null) ?? -1, stdout, stderr }));
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10 * 60_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) if (await check()) return;
  throw new Error(`gave up waiting for ${what}`);
}

const readJson = async <T>(name: string): Promise<T | undefined> => JSON.parse(await readFile(join(atomlab(), name), 'utf8').catch(() => 'null')) as T | undefined;
const domain = async () => (await readJson<State>('state.json'))?.vms.host1?.ref?.data.domain;
const virsh = async (...args: string[]) => (await execFileP('virsh', ['-c', daemon.uri, ...args])).stdout.trim();
const vmOf = (result: CliResult) => (JSON.parse(result.stdout) as { vms: VmReport[] }).vms[0]!;

/** The pid of the domain's QEMU, from the pid file libvirt keeps for it. */
async function qemuPid(): Promise<number> {
  return Number((await readFile(daemon.hostPath('run', 'qemu', `${await domain()}.pid`), 'utf8')).trim());
}

const alive = (pid: number) => readFile(`/proc/${pid}/stat`, 'utf8').then((stat) => !/^\d+ \(.*\) Z/.test(stat), () => false);

/**
 * Stands at a dead libvirtd's socket and resolves once a client comes to it: the proof that
 * atomlab needed libvirtd while it was down. close() drops that client and frees the path.
 */
async function doorman(path: string): Promise<{ knocked: Promise<void>; close(): Promise<void> }> {
  await rm(path, { force: true }); // the dead daemon's socket
  const clients: Socket[] = [];
  const server = createServer((client) => clients.push(client));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    knocked: once(server, 'connection').then(() => undefined),
    async close() {
      for (const client of clients) client.destroy();
      await new Promise((resolve) => server.close(resolve));
      await rm(path, { force: true });
    },
  };
}

test.serial('libvirtd restarted during up (while the guest boots): up waits for it, the domain survives, verified; a second up verifies', async (t) => {
  const upping = spawnCli(['up', lab.file, '--json']);
  await waitFor('up to start the domain and wait for the login', async () => (await readJson<{ vms: Record<string, { phase: string }> }>('progress.json'))?.vms.host1?.phase === 'ready');
  const qemu = await qemuPid();
  await daemon.kill();
  t.true(await alive(qemu), 'QEMU outlives libvirtd');
  const door = await doorman(daemon.socket);
  await door.knocked; // up came to libvirtd after the login, while it was down
  await door.close();
  await daemon.start();
  const upped = await upping;
  t.is(upped.exitCode, 0, upped.stderr);
  t.like(vmOf(upped), { action: 'created', state: 'running', login: { verified: true } });
  t.is(await qemuPid(), qemu, 'the same QEMU: nothing was recreated or restarted');
  t.is(await virsh('domstate', (await domain())!), 'running', 'the restarted libvirtd found its domain again');
  const again = await runCli(['up', lab.file, '--json'], LONG);
  t.is(again.exitCode, 0, again.stderr);
  t.like(vmOf(again), { action: 'unchanged', state: 'running', login: { verified: true } });
});

test.serial('libvirtd restarted during run: the step over SSH is unaffected, and status is right afterwards', async (t) => {
  const qemu = await qemuPid();
  const running = spawnCli(['run', lab.file, '--json']);
  const ssh = (command: string) => runCli(['ssh', 'host1', '-s', lab.file, '--', command], LONG);
  await waitFor('the step to run in the guest', async () => (await ssh('test -e /tmp/started')).exitCode === 0);
  await daemon.kill();
  await daemon.start();
  t.is((await ssh('touch /tmp/go')).exitCode, 0);
  const ran = await running;
  t.is(ran.exitCode, 0, ran.stderr);
  const step = (JSON.parse(ran.stdout) as { results: { status: string; stdout?: string }[] }).results[0]!;
  t.is(step.status, 'passed');
  const status = await runCli(['status', lab.file, '--json'], LONG);
  t.is(status.exitCode, 0, status.stderr);
  t.like(vmOf(status), { state: 'running', login: { verified: true } });
  t.is(await qemuPid(), qemu, 'the same QEMU');
});

test.serial('the domain\'s QEMU killed behind libvirt\'s back: status says crashed, up starts it again (verified), down leaves nothing', async (t) => {
  const name = (await domain())!;
  process.kill(await qemuPid(), 'SIGKILL');
  await waitFor('libvirt to notice', async () => (await virsh('domstate', '--reason', name)) !== 'running (booted)');
  t.is(await virsh('domstate', '--reason', name), 'shut off (crashed)', 'the outside judge: libvirt itself says crashed');
  const status = await runCli(['status', lab.file, '--json'], LONG);
  t.is(status.exitCode, 0, status.stderr);
  t.like(vmOf(status), { state: 'crashed', login: { verified: false } });
  t.regex((await runCli(['status', lab.file], LONG)).stdout, /host1\s+libvirt\s+crashed/);
  const upped = await runCli(['up', lab.file, '--json'], LONG);
  t.is(upped.exitCode, 0, upped.stderr);
  t.like(vmOf(upped), { action: 'started', state: 'running', login: { verified: true } });
  const down = await runCli(['down', lab.file], LONG);
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual((await virsh('list', '--all', '--name')).split('\n').filter(Boolean), [], 'no domain left');
  const volumes = (await virsh('vol-list', 'atomlab')).split('\n').slice(2).filter((line) => line.trim());
  t.deepEqual(volumes, [], 'no volume left in the pool, not even the base the lab uploaded');
  t.deepEqual(await processesMentioning(lab.dir), []);
  t.deepEqual(await readdir(lab.dir), ['atomlab.yaml']);
});
