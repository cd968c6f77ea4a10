import test from 'ava';
import { labDir, portAnswers } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';
import { forStudents, sshCommand, type Roster } from '../../lab/roster/index.js';

// Students reach their VMs from other machines: forwarded ports can be bound to another
// address than 127.0.0.1 (provider listen), and the roster names the address they use.
const LONG = { timeoutMs: 10 * 60_000 };

test('provider listen binds the forwarded SSH port to that address only, and up logs in there', async (t) => {
  const { file } = await labDir(`name: listen-lab
defaults: { image: tiny, memory: 256MiB, provider: { name: qemu, listen: 127.0.0.2 } }
vms:
  - name: seat1
    login: { password: generate }
`);
  try {
    const up = await runCli(['up', file, '--json'], LONG);
    t.is(up.exitCode, 0, up.stderr);
    const vm = (JSON.parse(up.stdout) as { vms: { ssh: { host: string; port: number }; login: { verified: boolean } }[] }).vms[0]!;
    t.true(vm.login.verified);
    t.is(vm.ssh.host, '127.0.0.2');
    t.true(await portAnswers(vm.ssh.port, '127.0.0.2'));
    t.false(await portAnswers(vm.ssh.port, '127.0.0.1'), 'not bound to 127.0.0.1');
    const roster = await runCli(['roster', file, '--format', 'json', '--address', 'classroom.example'], LONG);
    t.is(roster.exitCode, 0, roster.stderr);
    const entry = (JSON.parse(roster.stdout) as { entries: { address: string; user: string; ssh: string }[] }).entries[0]!;
    t.is(entry.address, 'classroom.example');
    t.is(entry.ssh, `ssh -p ${vm.ssh.port} ${entry.user}@classroom.example`);
    t.regex(roster.stderr, /seat1: its SSH port listens on 127\.0\.0\.2 only/);
  } finally {
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
  }
});

test('the roster for students replaces loopback addresses and warns only about loopback-bound ports', (t) => {
  const entry = (vm: string, listen?: string, address = '127.0.0.1', port = 40_000) => ({ vm, address, port, user: 'student', ssh: sshCommand('student', address, port), verified: true, ...(listen ? { listen } : {}) });
  const roster: Roster = { lab: 'class', entries: [entry('open', '0.0.0.0'), entry('closed'), entry('nat', undefined, '192.168.122.20', 22)] };
  const { roster: out, warnings } = forStudents(roster, '10.1.2.3');
  t.deepEqual(out.entries.map((e) => e.ssh), ['ssh -p 40000 student@10.1.2.3', 'ssh -p 40000 student@10.1.2.3', 'ssh student@192.168.122.20']);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /^closed: its SSH port listens on 127\.0\.0\.1 only/);
});
