import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidFileError } from '../../lab/errors/index.js';
import { loadScenario } from '../../lab/scenario/index.js';
import { providers } from '../../providers/registry.js';

async function problemsOf(text: string): Promise<string[]> {
  const file = join(await mkdtemp(join(tmpdir(), 'atomlab-scale-')), 'lab.yaml');
  await writeFile(file, text);
  const error = await loadScenario(file, { providers }).then(() => undefined, (e: unknown) => e);
  if (!(error instanceof InvalidFileError)) throw new Error(`expected problems, got ${String(error)}`);
  return error.problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}

test('a lab of more than 1000 VMs is refused at vms, before any is expanded', async (t) => {
  const entries = Array.from({ length: 3 }, (_, i) => `  - {name: "s${i}-{{n}}", image: tiny, count: 500}\n`).join('');
  t.deepEqual(await problemsOf(`name: x\nvms:\n${entries}`), ['2:1: vms: makes 1500 VMs: a lab may have at most 1000']);
});

test('a matrix of more than 100 combinations is refused at matrix', async (t) => {
  const list = `[${Array.from({ length: 11 }, (_, i) => i + 1).join(', ')}]`;
  const text = `name: x\nmatrix:\n  cpus: ${list}\n  memory: ${list}\nvms:\n  - {name: a, image: tiny}\n`;
  t.deepEqual(await problemsOf(text), ['2:1: matrix: makes 121 combinations: at most 100 labs (select fewer values)']);
});

test('durations past a timer\'s reach and sizes past 8 PiB are refused where they are written', async (t) => {
  const text = 'name: x\ndefaults:\n  bootTimeout: 200h\n  disk: 9999999TiB\nvms:\n  - {name: a, image: tiny, memory: 1e300}\nsteps:\n  - {run: "true", timeout: 1e9}\n';
  t.deepEqual(await problemsOf(text), [
    '3:16: defaults.bootTimeout: must be at most 7 days (604800 s, 168h)',
    '4:9: defaults.disk: must be at most 8 PiB',
    '6:36: vms[0].memory: must be at most 8589934592, got 1e+300',
    '8:28: steps[0].timeout: must be at most 604800, got 1000000000',
  ]);
});
