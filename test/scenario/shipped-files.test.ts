import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../helpers/run-cli.js';

// Every file in scenarios/ and templates/ either runs here with one command, and a test boots it
// as shipped, or says in its first comment line what it needs that this machine lacks.
const SHIPPED = ['scenarios', 'templates'];

/** The test that boots each file that says it runs here, and the file's path as that test names it. */
const BOOTED_BY: Record<string, { test: string; names: string }> = {
  'scenarios/atomic-upgrade-rollback.yaml': { test: 'test/steps/run-qemu.test.ts', names: 'scenarios/atomic-upgrade-rollback.yaml' },
  'scenarios/classroom.yaml': { test: 'test/engine/shipped-labs.test.ts', names: 'scenarios/classroom.yaml' },
  'scenarios/quickstart.yaml': { test: 'test/cli/package-install.test.ts', names: "'--template', 'quickstart'" },
  'templates/classroom.yaml': { test: 'test/engine/shipped-labs.test.ts', names: 'templates/classroom.yaml' },
  'templates/quickstart.yaml': { test: 'test/cli/package-install.test.ts', names: "'--template', 'quickstart'" },
  'templates/upgrade-rollback.yaml': { test: 'test/engine/shipped-labs.test.ts', names: 'templates/upgrade-rollback.yaml' },
};

async function shippedFiles(): Promise<string[]> {
  const lists = await Promise.all(SHIPPED.map(async (dir) => (await readdir(join(ROOT, dir))).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`)));
  return lists.flat().sort();
}

test('each shipped scenario and template either runs here (and a test boots it) or first says what it needs', async (t) => {
  const files = await shippedFiles();
  t.true(files.length >= 12);
  for (const file of files) {
    const first = (await readFile(join(ROOT, file), 'utf8')).split('\n')[0]!;
    t.regex(first, /^# /, `${file} starts with a comment`);
    const runsHere = /\bRuns here\b/.test(first);
    t.not(runsHere, /\bNeeds\b/.test(first), `${file}: its first line says either "Runs here" or "Needs …": ${first}`);
    const booted = BOOTED_BY[file];
    t.is(booted !== undefined, runsHere, `${file}: a file that runs here has a test that boots it, and only such a file`);
    if (booted) t.true((await readFile(join(ROOT, booted.test), 'utf8')).includes(booted.names), `${booted.test} boots ${file}`);
  }
});

test('the quickstart scenario is the quickstart template\'s lab (the global-install test boots the template)', async (t) => {
  const lab = async (file: string) => parse(await readFile(join(ROOT, file), 'utf8')) as unknown;
  t.deepEqual(await lab('scenarios/quickstart.yaml'), await lab('templates/quickstart.yaml'));
});
