import type { ExecutionContext } from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { labDir } from './lab.js';
import { ROOT, runCli } from './run-cli.js';

/**
 * The opt-in live test of a cloud: the quickstart scenario with this provider through
 * `up --yes --json` (every VM's login verified) and, whatever happened, `down`.
 */
export async function liveQuickstart(t: ExecutionContext, provider: Record<string, unknown>, image?: Record<string, unknown>): Promise<void> {
  t.timeout(60 * 60_000);
  const scenario = parse(await readFile(join(ROOT, 'scenarios/quickstart.yaml'), 'utf8')) as { defaults: Record<string, unknown> };
  scenario.defaults.provider = provider;
  if (image) scenario.defaults.image = image;
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
}
