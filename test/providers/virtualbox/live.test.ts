import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { which } from '../../../lab/host/index.js';
import type { RunReport } from '../../../lab/steps/index.js';
import { shippedUpgradeScenario, startUpdateRepo } from '../../fixtures/update-repo.js';
import { labDir } from '../../helpers/lab.js';
import { ROOT, runCli } from '../../helpers/run-cli.js';

/**
 * The live suite: the quickstart and the upgrade/rollback scenario on a real VirtualBox. Opt-in
 * (ATOMLAB_LIVE_VIRTUALBOX=1) on a machine where VBoxManage and its kernel driver work; VirtualBox
 * cannot be installed on the project's machines (no Debian 12 package), so there it is skipped.
 */
const LONG = { timeoutMs: 60 * 60_000 };
const wanted = process.env.ATOMLAB_LIVE_VIRTUALBOX === '1';
const reason = !wanted ? 'set ATOMLAB_LIVE_VIRTUALBOX=1 to run it' : undefined;

test.before(async (t) => {
  if (wanted && !(await which('VBoxManage'))) t.log('ATOMLAB_LIVE_VIRTUALBOX=1 but VBoxManage is not on PATH: the tests below fail');
});

async function virtualboxQuickstart(): Promise<{ dir: string; file: string }> {
  const doc = parseDocument(await readFile(`${ROOT}scenarios/quickstart.yaml`, 'utf8'));
  doc.setIn(['defaults', 'provider'], 'virtualbox');
  return labDir(doc.toString());
}

(reason ? test.skip : test.serial)(`live VirtualBox: the quickstart reaches a verified login, ssh works, down removes it${reason ? ` (skipped: ${reason})` : ''}`, async (t) => {
  const { file } = await virtualboxQuickstart();
  const up = await runCli(['up', file, '--json'], LONG);
  t.is(up.exitCode, 0, up.stderr);
  t.is((await runCli(['ssh', 'atomic', '-s', file, '--', 'rpm-ostree status --json'], LONG)).exitCode, 0);
  t.is((await runCli(['down', file], LONG)).exitCode, 0);
});

(reason ? test.skip : test.serial)(`live VirtualBox: the shipped upgrade/rollback scenario passes${reason ? ` (skipped: ${reason})` : ''}`, async (t) => {
  const repo = await startUpdateRepo({ versions: ['2'], slowFirst: { pattern: /\.tar\.gz$/, delayMs: 30_000 } });
  t.teardown(() => repo.close());
  const { file } = await shippedUpgradeScenario(repo, 'virtualbox');
  const run = await runCli(['run', file, '--json'], LONG);
  const report = JSON.parse(run.stdout) as RunReport;
  t.deepEqual(report.results.filter((r) => r.status !== 'passed').map((r) => `${r.step} ${r.name}`), [], run.stderr.slice(-3000));
  t.is((await runCli(['down', file], LONG)).exitCode, 0);
});
