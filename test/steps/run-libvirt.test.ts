import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunReport } from '../../lab/steps/index.js';
import { ensureLibvirtd, type Libvirtd } from '../fixtures/libvirtd.js';
import { shippedUpgradeScenario, startUpdateRepo, type UpdateRepo } from '../fixtures/update-repo.js';
import { runCli } from '../helpers/run-cli.js';

// The shipped upgrade/rollback scenario once more, on a real libvirtd (started by the harness:
// no systemd here); the hard reset goes through virDomainReset.
const run = promisify(execFile);
const LONG = { timeoutMs: 40 * 60_000 };
let daemon: Libvirtd | undefined;
let repo: UpdateRepo | undefined;

test.before(async () => {
  daemon = await ensureLibvirtd();
});

test.after.always(async () => {
  await repo?.close();
  await daemon?.stop();
});

test.serial('the shipped upgrade/rollback scenario passes through atomlab run on libvirt', async (t) => {
  repo = await startUpdateRepo({ versions: ['2'], slowFirst: { pattern: /\.tar\.gz$/, delayMs: 30_000 } });
  const { file } = await shippedUpgradeScenario(repo, 'libvirt');
  try {
    const result = await runCli(['run', file, '--json'], LONG);
    const report = JSON.parse(result.stdout) as RunReport;
    const failures = report.results.filter((r) => r.status !== 'passed').map((r) => `${r.step} ${r.name}: ${r.failure?.message ?? r.detail}`);
    t.deepEqual(failures, [], result.stderr.slice(-3000));
    t.is(result.exitCode, 0);
    const upgrades = report.results.filter((r) => r.kind === 'upgrade').map((r) => r.detail ?? '');
    t.regex(upgrades[0]!, /interrupted by a hard reset/);
    t.regex(upgrades[1]!, /→ .*\(version 2\)$/);
  } finally {
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
    const { stdout } = await run('virsh', ['-c', daemon!.localUri, 'list', '--all', '--name']);
    t.false(stdout.includes('atomic-upgrade-rollback'), 'down removed the domain');
  }
});
