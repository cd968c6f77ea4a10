import test, { type ExecutionContext } from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReport } from '../../lab/steps/index.js';
import { ensureLibvirtd, type Libvirtd } from '../fixtures/libvirtd.js';
import { labDir, processesMentioning } from '../helpers/lab.js';
import { ROOT, runCli } from '../helpers/run-cli.js';

// The shipped files that say they run here and that no other test boots, each run as shipped
// with the one command its first lines give: scenarios/classroom.yaml (6 tiny VMs),
// templates/classroom.yaml (12) and templates/upgrade-rollback.yaml (a matrix over qemu and a
// libvirtd the harness starts). Opt-in (`npm run test:shipped-labs`): 20 tiny boots and two
// upgrade/rollback runs are far beyond npm test's budget on two cores. Each passed here, run
// one at a time on a loaded machine: the matrix 7m12s, six students 2m49s, twelve 5m19s.
const optedIn = process.env.ATOMLAB_SHIPPED_LABS === '1';
const bootTest = optedIn ? test.serial : test.serial.skip;
const LONG = { timeoutMs: 60 * 60_000 };
let daemon: Libvirtd | undefined;

test.after.always(async () => {
  await daemon?.stop();
});

/** `up` the lab in dir as its first lines say, check each VM's login and roster entry, then `down` leaves nothing. */
async function upAndDown(t: ExecutionContext, dir: string, vms: number): Promise<void> {
  try {
    const up = await runCli(['up', '--parallel', '3'], { ...LONG, cwd: dir });
    t.is(up.exitCode, 0, up.stderr.slice(-3000));
    t.is([...up.stdout.matchAll(/^student-\d\d +qemu +running +verified +ssh /gm)].length, vms, up.stdout);
    const roster = JSON.parse((await runCli(['roster', '--format', 'json'], { cwd: dir })).stdout) as { entries: { vm: string; password: string }[] };
    t.is(roster.entries.length, vms);
    t.is(new Set(roster.entries.map((e) => e.password)).size, vms, 'a password of its own per student');
    const motd = await runCli(['ssh', 'student-02', '--', 'cat', '/etc/motd'], { cwd: dir });
    t.regex(motd.stdout, /you are student-02, seat 2\./);
  } finally {
    const down = await runCli(['down'], { ...LONG, cwd: dir });
    t.is(down.exitCode, 0, down.stderr);
    t.deepEqual(await processesMentioning(dir), []);
  }
}

bootTest('scenarios/classroom.yaml comes up as shipped: six students, each with a verified login and a password of its own', async (t) => {
  const { dir } = await labDir(await readFile(join(ROOT, 'scenarios/classroom.yaml'), 'utf8'));
  await upAndDown(t, dir, 6);
});

bootTest('templates/classroom.yaml, written by init --template classroom, comes up: twelve students', async (t) => {
  const dir = join((await labDir('')).dir, 'class');
  t.is((await runCli(['init', dir, '--template', 'classroom', '--yes'])).exitCode, 0);
  await upAndDown(t, dir, 12);
});

bootTest('templates/upgrade-rollback.yaml, written by init, passes on both providers of its matrix with one run', async (t) => {
  daemon = await ensureLibvirtd();
  const dir = join((await labDir('')).dir, 'qa');
  t.is((await runCli(['init', dir, '--template', 'upgrade-rollback', '--yes'])).exitCode, 0);
  try {
    const run = await runCli(['run', '--json', '--junit', 'report.xml', '--html', 'report.html'], { ...LONG, cwd: dir });
    const report = JSON.parse(run.stdout) as RunReport & { combinations?: unknown[] };
    const failed = report.results.filter((r) => r.status !== 'passed').map((r) => `${r.vm} ${r.step} ${r.name}: ${r.failure?.message ?? r.detail}`);
    t.deepEqual(failed, [], run.stderr.slice(-3000));
    t.is(run.exitCode, 0);
    const combinations = [...new Set(report.results.map((r) => r.vm.split('/')[0]!))].sort();
    t.is(combinations.length, 2, combinations.join(', '));
    t.regex(combinations[0]!, /libvirt/);
    t.regex(combinations[1]!, /qemu/);
  } finally {
    const down = await runCli(['down'], { ...LONG, cwd: dir });
    t.is(down.exitCode, 0, down.stderr);
    t.deepEqual(await processesMentioning(dir), []);
  }
});
