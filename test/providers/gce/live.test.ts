import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { labDir } from '../../helpers/lab.js';
import { ROOT, runCli } from '../../helpers/run-cli.js';

/**
 * Opt-in: the quickstart on real Compute Engine, with Application Default Credentials from the
 * environment (GOOGLE_APPLICATION_CREDENTIALS or gcloud's application_default_credentials.json),
 * GOOGLE_CLOUD_PROJECT and CLOUDSDK_COMPUTE_ZONE. Costs money; runs only with ATOMLAB_LIVE_GCE=1
 * (npm run test:live:gce), never in npm test.
 */
const live = process.env.ATOMLAB_LIVE_GCE === '1';

(live ? test : test.skip)('live: the quickstart comes up on GCE with a verified login and goes away leaving nothing', async (t) => {
  t.timeout(60 * 60_000);
  const scenario = parse(await readFile(join(ROOT, 'scenarios/quickstart.yaml'), 'utf8')) as { defaults: Record<string, unknown> };
  scenario.defaults.provider = { name: 'gce' };
  if (process.env.ATOMLAB_LIVE_GCE_IMAGE) scenario.defaults.image = { gce: process.env.ATOMLAB_LIVE_GCE_IMAGE };
  const lab = await labDir('');
  await writeFile(lab.file, stringify(scenario));
  const env = process.env as Record<string, string>;
  try {
    const up = await runCli(['up', '--yes', '--json', lab.file], { timeoutMs: 50 * 60_000, env });
    t.is(up.exitCode, 0, up.stderr);
    const report = JSON.parse(up.stdout) as { vms: { login: { verified: boolean } }[] };
    t.true(report.vms.every((vm) => vm.login.verified));
  } finally {
    const down = await runCli(['down', lab.file], { timeoutMs: 30 * 60_000, env });
    t.is(down.exitCode, 0, down.stderr);
    const status = await runCli(['status', '--json', lab.file], { timeoutMs: 10 * 60_000, env });
    t.notRegex(status.stdout, /"kind":\s*"(instance|firewall)"/, 'nothing of the lab is left in the project');
  }
});
