import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { qmpOnce } from '../../providers/qemu/qmp-client.js';
import { startImpostor } from '../fixtures/impostor-ssh.js';
import { labDir, processesMentioning } from '../helpers/lab.js';
import { BIN, runCli, type CliResult } from '../helpers/run-cli.js';

// Faults from outside atomlab, concurrency and trust, on one booted tiny guest under QEMU (TCG):
// the tests run in order on the same lab, each leaving it as the next expects. Two boots in all.
const LONG = { timeoutMs: 15 * 60_000 };

const scenario = (command: string) => `name: faults
defaults: { image: tiny, memory: 256MiB }
vms:
  - name: host1
    login: { password: generate }
steps:
  - name: long command
    run: ${command}
    timeout: 5m
`;

interface VmReport { name: string; state: string; action?: string; login: { verified: boolean; hostKey?: string } }
interface StepResult { status: string; failure?: { message: string; consoleTail: string[] } }
interface State { vms: Record<string, { hostKey: string; ssh?: { port: number }; ref: { data: { qmpSocket: string; pidFile: string } } }> }

const lab = await labDir(scenario('sleep 600'));
const atomlab = join(lab.dir, '.atomlab');
const outputs: string[] = []; // everything atomlab printed, for the secrets check

async function cli(args: string[], options = LONG): Promise<CliResult> {
  const result = await runCli(args, options);
  outputs.push(result.stdout, result.stderr);
  return result;
}

/** atomlab in a child process whose pid the test knows (the lock holds it). */
function spawnCli(args: string[]): { pid: number; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const result = once(child, 'close').then(([code]) => {
    outputs.push(stdout, stderr);
    return { exitCode: (code as number | null) ?? -1, stdout, stderr };
  });
  return { pid: child.pid!, result };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10 * 60_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) if (await check()) return;
  throw new Error(`gave up waiting for ${what}`);
}

const lockHeldBy = (pid: number) => async () => (await readFile(join(atomlab, 'lock'), 'utf8').catch(() => '')).trim() === String(pid);
const state = async () => JSON.parse(await readFile(join(atomlab, 'state.json'), 'utf8')) as State;
const qemus = async () => (await processesMentioning(atomlab)).filter((line) => /qemu-system/.test(line));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** True once the guest runs `command` (seen through a second SSH login, as a user would look). */
const guestRuns = (command: string) => async () => {
  const ps = await runCli(['ssh', 'host1', '-s', lab.file, '--', `for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done 2>/dev/null | grep -c '^${command}'`]);
  return ps.exitCode === 0 && Number(ps.stdout.trim()) > 0;
};

test.serial('two ups of one lab at once: the second waits for the first\'s lock, --no-wait refuses naming its pid, and one VM is made', async (t) => {
  const first = spawnCli(['up', lab.file, '--json']);
  await waitFor('the first up to take the lab lock', lockHeldBy(first.pid));
  const refused = await cli(['up', lab.file, '--no-wait']);
  t.is(refused.exitCode, 1, refused.stderr);
  t.regex(refused.stderr, new RegExp(`another atomlab working on this lab \\(pid ${first.pid}\\) holds ${escape(join(atomlab, 'lock'))}`));
  const second = spawnCli(['up', lab.file, '--json']);
  const [a, b] = await Promise.all([first.result, second.result]);
  t.is(a.exitCode, 0, a.stderr);
  t.is(b.exitCode, 0, b.stderr);
  t.regex(b.stderr, new RegExp(`waiting for another atomlab \\(pid ${first.pid}\\) working on lab faults`));
  const actions = [a, b].map((r) => (JSON.parse(r.stdout) as { vms: VmReport[] }).vms[0]!);
  t.deepEqual(actions.map((vm) => [vm.action, vm.state, vm.login.verified]), [['created', 'running', true], ['unchanged', 'running', true]]);
  t.is((await qemus()).length, 1, 'one QEMU: the VM was made once');
});

test.serial('the guest stops answering SSH mid-step (QMP set_link off): the step fails before its timeout, saying so', async (t) => {
  const { qmpSocket } = (await state()).vms.host1!.ref.data;
  const running = spawnCli(['run', lab.file, '--json']);
  await waitFor('the step\'s command to run in the guest', guestRuns('sleep 600'));
  await qmpOnce(qmpSocket, 'set_link', { name: 'net0', up: false });
  const result = await running.result;
  await qmpOnce(qmpSocket, 'set_link', { name: 'net0', up: true });
  t.is(result.exitCode, 1, result.stderr);
  const step = (JSON.parse(result.stdout) as { results: StepResult[] }).results[0]!;
  t.is(step.status, 'failed');
  t.regex(step.failure!.message, /^sleep 600: the guest stopped answering SSH \(no reply to keepalives\) while the command ran$/, 'not the step timeout: the keepalives noticed first');
});

test.serial('QEMU killed behind atomlab\'s back: the running step fails with the console tail, and status says crashed', async (t) => {
  await writeFile(lab.file, scenario('sleep 700')); // the steps changed; the VM did not
  const { pidFile } = (await state()).vms.host1!.ref.data;
  const running = spawnCli(['run', lab.file, '--json', '--junit', join(lab.dir, 'report.xml'), '--html', join(lab.dir, 'report.html')]);
  await waitFor('the step\'s command to run in the guest', guestRuns('sleep 700'));
  process.kill(Number((await readFile(pidFile, 'utf8')).trim()), 'SIGKILL');
  const result = await running.result;
  t.is(result.exitCode, 1, result.stderr);
  const step = (JSON.parse(result.stdout) as { results: StepResult[] }).results[0]!;
  t.is(step.status, 'failed');
  t.regex(step.failure!.message, /^sleep 700: the SSH connection was lost.* while the command ran$/);
  t.true(step.failure!.consoleTail.length > 0, 'the console\'s last lines come with the failure');
  t.true((await readFile(join(lab.dir, 'report.xml'), 'utf8')).includes('sleep 700: the SSH connection was lost'));
  const status = await cli(['status', lab.file, '--json']);
  t.is(status.exitCode, 0, status.stderr);
  t.is((JSON.parse(status.stdout) as { vms: VmReport[] }).vms[0]!.state, 'crashed');
  t.regex((await cli(['status', lab.file])).stdout, /host1\s+qemu\s+crashed/);
});

test.serial('an impostor on the killed VM\'s SSH port: ssh, up and run refuse, naming the mismatch, both fingerprints and what to do', async (t) => {
  const record = (await state()).vms.host1!;
  const port = record.ssh!.port;
  const impostor = await startImpostor(port);
  t.teardown(() => impostor.close());
  const expected = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], { input: `${record.hostKey}\n` }).toString().split(' ')[1]!; // the outside judge
  const refusal = new RegExp(`host key mismatch at 127\\.0\\.0\\.1:${port}: expected ${escape(expected)} \\(the key atomlab gave the VM\\), offered ${escape(impostor.fingerprint)}`);
  const whatToDo = new RegExp(`hint: another machine or program answers at 127\\.0\\.0\\.1:${port} .*do not log in.*ss -ltnp 'sport = :${port}'`);
  for (const args of [['ssh', 'host1', '-s', lab.file, '--', 'hostname'], ['up', lab.file], ['run', lab.file]]) {
    const refused = await cli(args);
    t.is(refused.exitCode, 1, `${args[0]}: ${refused.stderr}`);
    t.regex(refused.stderr, refusal, args[0]);
    t.regex(refused.stderr, whatToDo, args[0]);
  }
  t.true(impostor.connections >= 3, 'each command really met the impostor');
  t.deepEqual(await qemus(), [], 'the VM was not started behind the impostor');
});

/** A private key's body, as it would appear if copied anywhere: its longest base64 line. */
function keyBody(privateKey: string): string {
  return privateKey.split('\n').filter((line) => !line.startsWith('-----')).sort((x, y) => y.length - x.length)[0]!;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

test.serial('secrets: no file atomlab wrote holds the generated password or a private key, except where they must be (0600, in 0700 directories)', async (t) => {
  const secrets = JSON.parse(await readFile(join(atomlab, 'vms', 'host1', 'secrets.json'), 'utf8')) as { password: string; hostPrivateKey: string };
  const labKey = await readFile(join(atomlab, 'keys', 'id_ed25519'), 'utf8');
  const needles = { password: secrets.password, 'host private key': keyBody(secrets.hostPrivateKey), 'lab private key': keyBody(labKey) };
  t.regex(secrets.password, /\S{8,}/);
  // where they must be: the secrets file, the lab key, the seed the guest reads them from, and the guest's own disk
  const holders = new Set(['vms/host1/secrets.json', 'keys/id_ed25519', 'vms/host1/seed.iso', 'vms/host1/disk.qcow2'].map((path) => join(atomlab, path)));
  const written = [...(await filesUnder(atomlab)), join(lab.dir, 'report.xml'), join(lab.dir, 'report.html')];
  t.true(written.some((file) => file.endsWith('console.log')) && written.some((file) => file.endsWith('state.json')) && written.some((file) => file.endsWith('progress.json')));
  for (const file of written.filter((path) => !holders.has(path))) {
    const text = (await readFile(file)).toString('latin1');
    for (const [what, needle] of Object.entries(needles)) t.false(text.includes(needle), `${file} holds the ${what}`);
  }
  for (const [what, needle] of Object.entries(needles)) t.false(outputs.some((output) => output.includes(needle)), `atomlab printed the ${what}`);
  for (const holder of holders) if (!holder.endsWith('disk.qcow2')) t.is((await stat(holder)).mode & 0o777, 0o600, holder);
  for (const file of ['state.json', 'keys/known_hosts', 'progress.json']) t.is((await stat(join(atomlab, file))).mode & 0o777, 0o600, file);
  for (const dir of ['', 'keys', 'vms', 'vms/host1']) t.is((await stat(join(atomlab, dir))).mode & 0o777, 0o700, `.atomlab/${dir}`);
});

test.serial('a damaged state file, or one from a newer atomlab: status, up and down say so clearly and change nothing', async (t) => {
  const good = await readFile(join(atomlab, 'state.json'), 'utf8');
  const newer = JSON.stringify({ ...JSON.parse(good), version: 2 });
  for (const [text, message] of [[newer, /state\.json was written by a newer atomlab \(state version 2; this atomlab reads version 1\)/], ['{"version": 1, "vms": {', /state\.json is damaged: /]] as const) {
    await writeFile(join(atomlab, 'state.json'), text);
    for (const args of [['status', lab.file], ['up', lab.file], ['down', lab.file]]) {
      const refused = await cli(args);
      t.is(refused.exitCode, 1, `${args[0]}: ${refused.stderr}`);
      t.regex(refused.stderr, message, args[0]);
      t.regex(refused.stderr, /hint: atomlab down --force removes what it can find without it/, args[0]);
    }
    t.is(await readFile(join(atomlab, 'state.json'), 'utf8'), text, 'nobody overwrote it');
  }
  await writeFile(join(atomlab, 'state.json'), good, { mode: 0o600 });
});

test.serial('down during up: up starts the crashed VM again (verified) while down waits for it, then down removes everything', async (t) => {
  const upping = spawnCli(['up', lab.file, '--json']);
  await waitFor('up to take the lab lock', lockHeldBy(upping.pid));
  const downing = spawnCli(['down', lab.file]);
  const upped = await upping.result;
  t.is(upped.exitCode, 0, upped.stderr);
  const vm = (JSON.parse(upped.stdout) as { vms: VmReport[] }).vms[0]!;
  t.deepEqual([vm.action, vm.state, vm.login.verified], ['started', 'running', true]);
  const downed = await downing.result;
  t.is(downed.exitCode, 0, downed.stderr);
  t.regex(downed.stderr, new RegExp(`waiting for another atomlab \\(pid ${upping.pid}\\)`));
  t.regex(downed.stderr, /removed host1/);
  t.deepEqual(await processesMentioning(lab.dir), []);
  // up's last progress record may land after down (it is written once up let go of the lab): nothing else may
  const left = await filesUnder(atomlab).catch(() => [] as string[]);
  t.deepEqual(left.filter((path) => path !== join(atomlab, 'progress.json')), [], 'down leaves nothing of the lab');
});

test.serial('down --force on a lab whose state file is damaged: stops the lab\'s processes (QEMU, file server) and removes its files', async (t) => {
  const { dir, file } = await labDir(`name: faults-force
serve:
  - { name: files, path: files }
vms:
  - name: empty
    image: { path: empty.qcow2, format: qcow2 }
    memory: 64MiB
`);
  await mkdir(join(dir, 'files'));
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'empty.qcow2'), '64M']);
  const up = await cli(['up', file, '--retries', '0']);
  t.is(up.exitCode, 1, 'the empty disk does not boot');
  const left = await processesMentioning(join(dir, '.atomlab'));
  t.true(left.some((line) => /serve-daemon/.test(line)), `the file server outlives up: ${left.join('\n')}`);
  await writeFile(join(dir, '.atomlab', 'state.json'), 'not json at all');
  const refused = await cli(['down', file]);
  t.is(refused.exitCode, 1);
  t.regex(refused.stderr, /state\.json is damaged/);
  const forced = await cli(['down', '--force', file]);
  t.is(forced.exitCode, 0, forced.stderr);
  t.regex(forced.stderr, /stopping pid \d+, which works in the lab's directory/);
  t.deepEqual(await processesMentioning(dir), []);
  t.deepEqual((await readdir(dir)).sort(), ['atomlab.yaml', 'empty.qcow2', 'files']);
});
