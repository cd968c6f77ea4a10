import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLabLock } from '../../lab/state/index.js';

// The lab lock between processes: another live process holds it (its pid in the file).
async function heldByAnother(t: { teardown: (fn: () => unknown) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-lock-'));
  const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
  const file = join(dir, 'lock');
  await writeFile(file, `${holder.pid}\n`);
  t.teardown(async () => {
    holder.kill();
    await rm(dir, { recursive: true, force: true });
  });
  return { file, holder };
}

test('--no-wait: a lab another process holds is refused at once, naming its pid', async (t) => {
  const { file, holder } = await heldByAnother(t);
  const error = await t.throwsAsync(acquireLabLock(file, { wait: false }));
  t.is(error.message, `another atomlab working on this lab (pid ${holder.pid}) holds ${file}`);
  t.regex((error as Error & { hint?: string }).hint ?? '', /leave out --no-wait to wait for it/);
});

test('by default the lock is waited for (saying who holds it), and taken once the holder is gone', async (t) => {
  const { file, holder } = await heldByAnother(t);
  const told: string[] = [];
  const taking = acquireLabLock(file, { onWait: (pid) => told.push(pid) });
  while (told.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  t.deepEqual(told, [String(holder.pid)]);
  holder.kill();
  const lock = await taking;
  t.is((await readFile(file, 'utf8')).trim(), String(process.pid));
  await lock.release();
});
