import test from 'ava';
import type { RunReport } from '../../../lab/steps/index.js';
import { shippedUpgradeScenario, startUpdateRepo } from '../../fixtures/update-repo.js';
import { makeFakeVbox } from '../../fixtures/virtualbox/fake-vbox.js';
import { runCli } from '../../helpers/run-cli.js';

/**
 * The shipped upgrade/rollback scenario on `provider: virtualbox` (the recorded-contract VBoxManage
 * running the guest in QEMU): upgrade interrupted by a hard reset (controlvm reset), upgrade,
 * rollbacks, each across reboots. About as long as the same run on qemu (minutes under TCG), so
 * it is opt-in: `npm run test:virtualbox-upgrade` (ATOMLAB_HEAVY_VIRTUALBOX=1).
 */
const heavy = process.env.ATOMLAB_HEAVY_VIRTUALBOX === '1';

(heavy ? test : test.skip)('the shipped upgrade/rollback scenario passes on provider virtualbox', async (t) => {
  const fake = await makeFakeVbox({ version: '7.1', qemu: true });
  t.teardown(fake.cleanup);
  const repo = await startUpdateRepo({ versions: ['2'], slowFirst: { pattern: /\.tar\.gz$/, delayMs: 30_000 } });
  t.teardown(() => repo.close());
  const { file } = await shippedUpgradeScenario(repo, { name: 'virtualbox', vboxmanage: fake.command });
  const run = await runCli(['run', file, '--json'], { timeoutMs: 60 * 60_000 });
  const report = JSON.parse(run.stdout) as RunReport;
  t.deepEqual(report.results.filter((r) => r.status !== 'passed').map((r) => `${r.step} ${r.name}: ${r.failure?.message ?? r.detail}`), [], run.stderr.slice(-3000));
  t.is(run.exitCode, 0);
  t.true((await fake.calls()).some((c) => c[0] === 'controlvm' && c[2] === 'reset'), 'the interrupting reset went through VBoxManage');
  t.is((await runCli(['down', file], { timeoutMs: 10 * 60_000 })).exitCode, 0);
  t.deepEqual(Object.keys(fake.state().vms), []);
  t.deepEqual(await fake.violations(), []);
});
