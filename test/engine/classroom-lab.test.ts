import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SshError, sshExec } from '../../lab/ssh/index.js';
import { chromiumPath, pdfPages, pdfText, printToPdf } from '../fixtures/chromium.js';
import { ensureLibvirtd, type Libvirtd } from '../fixtures/libvirtd.js';
import { parseCsv } from '../helpers/csv.js';
import { labDir } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

// A classroom: six tiny guests, each with its own generated password, spread over two libvirt
// URIs that reach the same private libvirtd (qemu:///system and qemu+tcp://127.0.0.1:PORT), booted
// three at a time under TCG. The roster is judged by real SSH logins and by headless Chromium.
const run = promisify(execFile);
const LONG = { timeoutMs: 30 * 60_000 };
let daemon: Libvirtd;

test.before(async () => {
  daemon = await ensureLibvirtd();
});

test.after.always(async () => {
  await daemon?.stop();
});

interface RosterEntry {
  vm: string;
  address: string;
  port: number;
  user: string;
  password: string;
  ssh: string;
  host?: string;
}

interface State {
  vms: Record<string, { hostKey: string; dir: string; providerOptions: { uri?: string } }>;
}

async function labDomains(lab: string): Promise<string[]> {
  const { stdout } = await run('virsh', ['-c', daemon.localUri, 'list', '--all', '--name']);
  return stdout.split('\n').filter((name) => name.includes(lab));
}

async function labVolumes(lab: string): Promise<string[]> {
  const { stdout: pools } = await run('virsh', ['-c', daemon.localUri, 'pool-list', '--all', '--name']);
  const names = pools.split('\n').map((pool) => pool.trim()).filter(Boolean);
  const lists = await Promise.all(names.map(async (pool) => (await run('virsh', ['-c', daemon.localUri, 'vol-list', pool])).stdout));
  return lists.join('\n').split('\n').filter((line) => line.includes(lab));
}

async function passwordLogin(entry: RosterEntry, password: string, hostKey: string): Promise<string> {
  const result = await sshExec({ host: entry.address, port: entry.port, user: entry.user, password, hostKey, timeoutMs: 60_000 }, 'hostname', 60_000);
  return result.stdout.trim();
}

test('a 6-VM classroom over two hosts: distinct verified passwords, a roster that logs in, printable cards, down removes all', async (t) => {
  if (!daemon.tcpUri) return t.fail('the harness starts libvirtd with a TCP listener on 127.0.0.1');
  const { dir, file } = await labDir(`name: e2e-class
defaults:
  image: tiny
  provider: libvirt
  login: { user: student, password: generate }
hosts:
  - uri: qemu:///system
  - uri: ${daemon.tcpUri}
placement: spread
vms:
  - name: student-{{n:02}}
    count: 6
`);
  try {
    const up = await runCli(['up', file, '--json', '--parallel', '3'], LONG);
    t.is(up.exitCode, 0, up.stderr);
    const report = JSON.parse(up.stdout) as { vms: { name: string; host?: string; login: { verified: boolean; methods: string[] } }[] };
    t.deepEqual(report.vms.map((vm) => vm.name), ['student-01', 'student-02', 'student-03', 'student-04', 'student-05', 'student-06']);
    t.true(report.vms.every((vm) => vm.login.verified && vm.login.methods.includes('password')));
    t.deepEqual(report.vms.map((vm) => vm.host).sort(), [...Array(3).fill(daemon.localUri), ...Array(3).fill(daemon.tcpUri)].sort(), 'spread: three on each host');

    const roster = JSON.parse((await runCli(['roster', file, '--format', 'json'])).stdout) as { lab: string; entries: RosterEntry[] };
    t.is(roster.entries.length, 6);
    const passwords = roster.entries.map((entry) => entry.password);
    t.is(new Set(passwords).size, 6, 'six distinct passwords');
    for (const password of passwords) t.regex(password, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    t.false(up.stdout.includes(passwords[0]!) || up.stderr.includes(passwords[0]!), 'up never prints a password');

    const csv = parseCsv((await runCli(['roster', file, '--format', 'csv'])).stdout);
    t.deepEqual(csv.slice(1), roster.entries.map((e) => [e.vm, e.address, String(e.port), e.user, e.password, e.ssh]), 'CSV and JSON agree');

    const state = JSON.parse(await readFile(join(dir, '.atomlab', 'state.json'), 'utf8')) as State;
    for (const entry of roster.entries) {
      const record = state.vms[entry.vm]!;
      t.is((await stat(join(record.dir, 'secrets.json'))).mode & 0o777, 0o600, 'the password is kept 0600');
      t.is(await passwordLogin(entry, entry.password, record.hostKey), entry.vm, `${entry.vm}: its roster password logs in`);
    }
    const [first, second] = roster.entries;
    const wrong = await passwordLogin(first!, second!.password, state.vms[first!.vm]!.hostKey).catch((error: unknown) => error);
    t.true(wrong instanceof SshError, "another student's password does not log in");

    const ssh = await runCli(['ssh', 'student-04', '-s', file, '--', 'hostname'], LONG);
    t.is(ssh.stdout.trim(), 'student-04', 'atomlab ssh reaches a VM on either host');

    const chromium = await chromiumPath();
    if (!chromium) return t.fail('headless Chromium is needed: apt-get install chromium poppler-utils');
    const html = join(dir, 'roster.html');
    t.is((await runCli(['roster', file, '--format', 'html', '--paper', 'a4', '-o', html])).exitCode, 0);
    t.is((await stat(html)).mode & 0o777, 0o600);
    await printToPdf(chromium, html, join(dir, 'roster.pdf'));
    t.is((await pdfPages(join(dir, 'roster.pdf'))).pages, 1, 'six cards fit one sheet');
    const text = await pdfText(join(dir, 'roster.pdf'));
    for (const entry of roster.entries) t.true(text.includes(entry.vm) && text.includes(entry.password), `${entry.vm}'s card`);
  } finally {
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
  }
  t.deepEqual(await labDomains('e2e-class'), []);
  t.deepEqual(await labVolumes('e2e-class'), []);
  t.deepEqual((await readdir(dir)).filter((name) => !name.startsWith('roster.')), ['atomlab.yaml']);
});
