import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { labDir } from '../../helpers/lab.js';
import { ROOT, runCli } from '../../helpers/run-cli.js';

/**
 * Opt-in: the quickstart on real EC2 (credentials from the environment or a profile). Costs
 * money; runs only with ATOMLAB_LIVE_EC2=1 (npm run test:live:ec2), never in npm test.
 */
const live = process.env.ATOMLAB_LIVE_EC2 === '1';

(live ? test : test.skip)('live: the quickstart comes up on EC2 with a verified login and goes away leaving nothing', async (t) => {
  t.timeout(60 * 60_000);
  const scenario = parse(await readFile(join(ROOT, 'scenarios/quickstart.yaml'), 'utf8')) as { defaults: Record<string, unknown> };
  const ami = process.env.ATOMLAB_LIVE_EC2_AMI;
  scenario.defaults.provider = { name: 'ec2', ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}) };
  if (ami) scenario.defaults.image = { ami, user: process.env.ATOMLAB_LIVE_EC2_USER ?? 'fedora' };
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
    const left = await runCli(['status', '--json', lab.file], { timeoutMs: 5 * 60_000, env: process.env as Record<string, string> });
    t.is((JSON.parse(left.stdout) as { untracked?: unknown }).untracked, undefined, 'nothing tagged with the lab is left');
  }
});
