import test from 'ava';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../../lab/catalog/index.js';
import { errorText } from '../../lab/cli/run-action.js';
import { validateScenario } from '../../lab/cli/validate.js';
import { exitCodeFor } from '../../lab/errors/index.js';
import { providers } from '../../providers/registry.js';
import { mutations, scenarioCorpus, type Mutation } from '../fixtures/scenario-mutations.js';
import { propertyParameters } from '../helpers/property.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';

const corpus = await scenarioCorpus();
/** Loaded once: `atomlab validate` loads the same catalog for every file. */
const catalog = await loadCatalog();
const mutant = fc.record({ base: fc.constantFrom(...corpus), changes: mutations }).map(({ base, changes }) => ({
  base: base.name,
  text: changes.reduce((text: string, change: Mutation) => change(text), base.text),
}));

/** `atomlab validate FILE` as the CLI runs it (validateScenario inside runAction), in this process. */
async function validateInProcess(file: string): Promise<CliResult> {
  try {
    return { exitCode: 0, stdout: await validateScenario(file, { providers, catalog }), stderr: '' };
  } catch (error) {
    return { exitCode: exitCodeFor(error), stdout: '', stderr: errorText(error) };
  }
}

const STACK = /^\s+at \S|TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack|\[object Object\]/m;

/** What is wrong with a validate result, or undefined: exit 0 and "valid", or exit 2 and only located problems. */
function wrongWith(result: CliResult, file: string, lineCount: number): string | undefined {
  if (STACK.test(result.stderr)) return 'a stack trace or JavaScript error';
  if (result.exitCode === 0) return result.stdout.startsWith(`${file}: valid, `) ? undefined : 'exit 0 without "valid"';
  if (result.exitCode !== 2) return `exit ${result.exitCode}`;
  if (result.stdout !== '') return 'output on stdout';
  const lines = result.stderr.trimEnd().split('\n');
  for (const line of lines) {
    const match = /^(.*?):(\d+):(\d+): (\S.*)$/.exec(line);
    if (!match || match[1] !== file) return `not FILE:LINE:COL: ${line.slice(0, 200)}`;
    if (Number(match[2]) < 1 || Number(match[2]) > lineCount + 1 || Number(match[3]) < 1) return `a position outside the file: ${line.slice(0, 200)}`;
  }
  return undefined;
}

test('every mutation of a shipped scenario is valid (exit 0) or exit 2 with FILE:LINE:COL problems, never a stack trace', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-mutant-'));
  const file = join(dir, 'mutant.yaml');
  const seen = { valid: 0, invalid: 0 };
  try {
    await fc.assert(
      fc.asyncProperty(mutant, async ({ text }) => {
        await writeFile(file, text);
        const result = await validateInProcess(file);
        const wrong = wrongWith(result, file, text.split('\n').length);
        if (wrong) throw new Error(`${wrong}\n--- exit ${result.exitCode}\n${result.stdout}${result.stderr}--- text:\n${text.slice(0, 2000)}`);
        seen[result.exitCode === 0 ? 'valid' : 'invalid']++;
      }),
      { ...propertyParameters(150), includeErrorInReport: true },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  t.log(`${seen.valid} mutants valid, ${seen.invalid} refused`);
  t.true(seen.invalid > 0);
});

test('mutants through the real CLI: the same answers as in-process', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-mutant-'));
  try {
    const samples = fc.sample(mutant, { numRuns: 6, seed: 13 });
    await Promise.all(
      samples.map(async ({ text }, index) => {
        const file = join(dir, `mutant-${index}.yaml`);
        await writeFile(file, text);
        const [cli, inProcess] = [await runCli(['validate', file]), await validateInProcess(file)];
        t.is(wrongWith(cli, file, text.split('\n').length), undefined, `${cli.stderr}\n${text}`);
        t.deepEqual(cli, inProcess);
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
