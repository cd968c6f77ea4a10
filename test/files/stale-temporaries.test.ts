import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTemporaries } from '../../lab/files/index.js';
import { labDir } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

// An atomlab killed in the middle of an atomic write leaves `.NAME.PID.HEX.tmp` beside the file.
// down removes those of dead writers (found by a CI run: SIGKILL of up mid-boot left .atomlab/).

async function deadPid(): Promise<number> {
  const child = spawn('true');
  await once(child, 'exit');
  return child.pid!;
}

test('temporaries of a dead writer are removed; a live writer\'s and other files stay', async (t) => {
  const { dir } = await labDir('name: x\n');
  const dead = await deadPid();
  const names = [`.state.json.${dead}.0a1b2c3d.tmp`, `.progress.json.${process.pid}.0a1b2c3d.tmp`, 'state.json', `.notes.${dead}.tmp`];
  for (const name of names) await writeFile(join(dir, name), '{');
  t.deepEqual(await removeStaleTemporaries(dir), [`.state.json.${dead}.0a1b2c3d.tmp`]);
  t.deepEqual((await readdir(dir)).sort(), [names[1], names[3], 'atomlab.yaml', 'state.json'].sort());
  t.deepEqual(await removeStaleTemporaries(join(dir, 'missing')), []);
});

test('down removes a half-written progress record a killed up left, and the state directory with it', async (t) => {
  const { dir, file } = await labDir('name: stale-temp\nvms:\n  - name: host1\n    image: tiny\n');
  await mkdir(join(dir, '.atomlab'), { mode: 0o700 });
  await writeFile(join(dir, '.atomlab', `.progress.json.${await deadPid()}.deadbeef.tmp`), '{"version":1,');
  const down = await runCli(['down', file]);
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(await readdir(dir), ['atomlab.yaml']);
});
