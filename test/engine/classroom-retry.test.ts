import test from 'ava';
import { createServer, type Server } from 'node:http';
import { readdir } from 'node:fs/promises';
import { labDir, processesMentioning } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

// Boots real tiny guests under QEMU (TCG). A guest asks this test, over QEMU user networking
// (10.0.2.2 is the host's loopback), whether to lock its user's password: `flaky` is told to on
// its first boot only, `broken` on every boot. Nothing in atomlab knows about it.
const LONG = { timeoutMs: 20 * 60_000 };

interface Report {
  vms: { name: string; state: string; login: { verified: boolean }; retried?: string[]; error?: string }[];
}

function breakServer(plan: (vm: string, ask: number) => boolean): Promise<{ server: Server; port: number; asked: Map<string, number> }> {
  const asked = new Map<string, number>();
  const server = createServer((request, response) => {
    const vm = (request.url ?? '/').slice(1);
    const ask = (asked.get(vm) ?? 0) + 1;
    asked.set(vm, ask);
    response.end(plan(vm, ask) ? 'break\n' : 'ok\n');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, asked })));
}

test('a VM that fails verification is recreated; one that keeps failing is reported, the others stay up, exit 1', async (t) => {
  const { server, port, asked } = await breakServer((vm, ask) => vm === 'broken' || (vm === 'flaky' && ask === 1));
  const { dir, file } = await labDir(`name: e2e-retry
defaults:
  image: tiny
  login: { user: student, password: generate }
  cloudConfig:
    runcmd:
      - "if wget -q -O - http://10.0.2.2:${port}/{{name}} | grep -q break; then sed -i 's/^student:[^:]*:/student:!:/' /etc/shadow; fi"
vms:
  - name: flaky
  - name: broken
`);
  try {
    const up = await runCli(['up', file, '--json', '--retries', '1'], LONG);
    t.is(up.exitCode, 1, 'a VM is not verified');
    const report = JSON.parse(up.stdout) as Report;
    const flaky = report.vms.find((vm) => vm.name === 'flaky')!;
    const broken = report.vms.find((vm) => vm.name === 'broken')!;
    t.is(asked.get('flaky'), 2, 'flaky booted twice: made anew after its first attempt failed');
    t.is(asked.get('broken'), 2, 'broken was tried twice (--retries 1)');
    t.true(flaky.login.verified);
    t.is(flaky.state, 'running', 'the VM that came good stays up');
    t.is(flaky.retried?.length, 1);
    t.regex(flaky.retried![0]!, /login-password.*refused/);
    t.false(broken.login.verified);
    t.regex(broken.error ?? '', /login-password.*refused/);
    t.regex(up.stderr, /broken: not ready at stage login-password/);
    const table = await runCli(['status', file]);
    t.regex(table.stdout, /flaky\s+qemu\s+running\s+verified/);
    const roster = await runCli(['roster', file, '--format', 'json']);
    t.is(roster.exitCode, 0, roster.stderr);
    t.deepEqual((JSON.parse(roster.stdout) as { entries: { vm: string }[] }).entries.map((entry) => entry.vm), ['flaky']);
    t.regex(roster.stderr, /not in the roster \(no verified login\): broken/);
  } finally {
    server.close();
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
  }
  t.deepEqual(await processesMentioning(dir), []);
  t.deepEqual(await readdir(dir), ['atomlab.yaml']);
});

test('a lab that does not fit the host is refused before anything starts, unless --force', async (t) => {
  const { dir, file } = await labDir(`name: e2e-too-big
defaults: { image: tiny, memory: 1TiB }
vms:
  - { name: "s{{n}}", count: 3 }
`);
  const up = await runCli(['up', file, '--json']);
  t.is(up.exitCode, 2);
  t.is(up.stdout, '');
  t.regex(up.stderr, /the lab does not fit: 3 VM\(s\) need 3145728 MiB of memory, this machine has \d+ MiB for them/);
  t.regex(up.stderr, /--force/);
  t.deepEqual(await processesMentioning(dir), []);
  const status = await runCli(['status', file, '--json']);
  t.true((JSON.parse(status.stdout) as Report).vms.every((vm) => vm.state === 'missing'));
});
