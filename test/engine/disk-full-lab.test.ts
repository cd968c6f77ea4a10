import test from 'ava';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { smallDisk } from '../fixtures/tmpfs.js';
import { processesMentioning } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

// The lab directory on a 160 KiB tmpfs: the VM's seed and disk do not fit. No VM boots.
test('the disk filling during up: a "no space" error naming the VM directory, not retried; down removes everything', async (t) => {
  const disk = await smallDisk('160k');
  t.teardown(() => disk.remove());
  const file = join(disk.dir, 'atomlab.yaml');
  await writeFile(file, 'name: full-disk\ndefaults: { image: tiny, memory: 256MiB }\nvms:\n  - name: host1\n    login: { password: generate }\n');
  const up = await runCli(['up', file, '--json'], { timeoutMs: 5 * 60_000 });
  t.is(up.exitCode, 1, up.stderr);
  t.regex(up.stderr, new RegExp(`no space left on device in ${join(disk.dir, '.atomlab', 'vms', 'host1')} \\(creating host1\\)`));
  t.regex(up.stderr, /hint: free space on that filesystem/);
  t.notRegex(up.stderr, /recreating it/, 'a full disk is not retried');
  t.is((JSON.parse(up.stdout) as { vms: { state: string }[] }).vms[0]!.state, 'missing');
  const down = await runCli(['down', file]);
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(await processesMentioning(disk.dir), []);
  t.deepEqual(await readdir(disk.dir), ['atomlab.yaml']);
});
