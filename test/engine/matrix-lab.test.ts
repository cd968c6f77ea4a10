import test from 'ava';
import { readdir } from 'node:fs/promises';
import { labDir, processesMentioning } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

// Boots two real tiny guests under QEMU (TCG), at most two at once; no timing assertions.
const LONG = { timeoutMs: 20 * 60_000 };

interface VmReport {
  name: string;
  state: string;
  combination?: string;
  login: { verified: boolean };
}

interface Report {
  lab: string;
  vms: VmReport[];
  combinations?: { key: string; values: Record<string, string>; lab: string; vms: VmReport[] }[];
}

test.serial('a two-combination matrix brings up two labs, reports them grouped, and down removes both', async (t) => {
  const { dir, file } = await labDir(`name: e2e-matrix
defaults: { image: tiny, provider: qemu }
matrix:
  memory: [256MiB, 320MiB]
vms:
  - name: host1
`);
  try {
    const validate = await runCli(['validate', file]);
    t.regex(validate.stdout, /valid, matrix of 2 labs with 1 VM each: e2e-matrix-256MiB, e2e-matrix-320MiB/);
    const up = await runCli(['up', file, '--json'], LONG);
    t.is(up.exitCode, 0, up.stderr);
    const report = JSON.parse(up.stdout) as Report;
    t.is(report.lab, 'e2e-matrix');
    t.deepEqual(report.combinations?.map((c) => [c.key, c.values, c.lab, c.vms.map((vm) => [vm.name, vm.state, vm.login.verified])]), [
      ['256MiB', { memory: '256MiB' }, 'e2e-matrix-256MiB', [['host1', 'running', true]]],
      ['320MiB', { memory: '320MiB' }, 'e2e-matrix-320MiB', [['host1', 'running', true]]],
    ]);
    t.deepEqual(report.vms.map((vm) => vm.combination), ['256MiB', '320MiB']);

    // each combination's VM really got its memory: the kernel sees less than it has, but more with 320MiB
    const memTotal = async (vm: string) => {
      const result = await runCli(['ssh', vm, '-s', file, '--', "awk '/MemTotal/ {print $2}' /proc/meminfo"], LONG);
      t.is(result.exitCode, 0, result.stderr);
      return Number(result.stdout.trim());
    };
    const small = await memTotal('256MiB/host1');
    const large = await memTotal('320MiB/host1');
    t.true(small < 256 * 1024 && large > small + 48 * 1024, `MemTotal ${small} kB vs ${large} kB`);
    const ambiguous = await runCli(['ssh', 'host1', '-s', file, '--', 'true']);
    t.is(ambiguous.exitCode, 2);
    t.regex(ambiguous.stderr, /VMs: 256MiB\/host1, 320MiB\/host1/);

    const status = JSON.parse((await runCli(['status', file, '--json'])).stdout) as Report;
    t.deepEqual(status.combinations?.map((c) => [c.key, c.vms[0]!.state]), [['256MiB', 'running'], ['320MiB', 'running']]);
    const table = await runCli(['status', file]);
    t.regex(table.stdout, /lab e2e-matrix-256MiB \[memory=256MiB\][\s\S]*lab e2e-matrix-320MiB \[memory=320MiB\]/);
  } finally {
    const down = await runCli(['down', file, '--json'], LONG);
    t.is(down.exitCode, 0, down.stderr);
    t.deepEqual((JSON.parse(down.stdout) as { removed: string[] }).removed.sort(), ['256MiB/host1', '320MiB/host1']);
  }
  t.deepEqual(await processesMentioning(dir), []);
  t.deepEqual(await readdir(dir), ['atomlab.yaml'], 'down removes every combination\'s state');
});
