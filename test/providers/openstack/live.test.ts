import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { labDir } from '../../helpers/lab.js';
import { ROOT, runCli } from '../../helpers/run-cli.js';

/**
 * Opt-in: the quickstart on a real OpenStack cloud (clouds.yaml with OS_CLOUD, or the OS_*
 * variables of an openrc file). Uses quota and may cost money; runs only with
 * ATOMLAB_LIVE_OPENSTACK=1 (npm run test:live:openstack), never in npm test.
 * ATOMLAB_LIVE_OPENSTACK_OPTIONS takes extra provider options as YAML (flavor, network, floatingNetwork).
 */
const live = process.env.ATOMLAB_LIVE_OPENSTACK === '1';

(live ? test : test.skip)('live: the quickstart comes up on OpenStack with a verified login and goes away leaving nothing', async (t) => {
  t.timeout(60 * 60_000);
  const scenario = parse(await readFile(join(ROOT, 'scenarios/quickstart.yaml'), 'utf8')) as { defaults: Record<string, unknown> };
  const extra = (parse(process.env.ATOMLAB_LIVE_OPENSTACK_OPTIONS ?? '{}') ?? {}) as Record<string, unknown>;
  scenario.defaults.provider = { name: 'openstack', ...(process.env.OS_CLOUD ? { cloud: process.env.OS_CLOUD } : {}), ...extra };
  const lab = await labDir('');
  await writeFile(lab.file, stringify(scenario));
  try {
    const up = await runCli(['up', '--yes', '--json', lab.file], { timeoutMs: 50 * 60_000, env: process.env as Record<string, string> });
    t.is(up.exitCode, 0, up.stderr);
    const report = JSON.parse(up.stdout) as { vms: { login: { verified: boolean } }[] };
    t.true(report.vms.every((vm) => vm.login.verified));
  } finally {
    const down = await runCli(['down', lab.file], { timeoutMs: 30 * 60_000, env: process.env as Record<string, string> });
    t.is(down.exitCode, 0, down.stderr);
  }
});
