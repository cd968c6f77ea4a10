import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProgressRecorder } from '../../lab/progress/index.js';
import { labDir } from '../helpers/lab.js';
import { BIN, runCli } from '../helpers/run-cli.js';

// progress.json belongs to the command that holds the lab: one that waits for the lock, or is
// refused by --no-wait, must not write over the holder's. No VM is booted: the lab stays locked.

const SCENARIO = `name: progress-owner
defaults: { image: tiny, memory: 256MiB }
vms:
  - name: host1
`;
const HOLDERS = '{"version":1,"command":"up","pid":1,"note":"the holder\'s progress"}\n';

async function lockedLab(t: { teardown: (fn: () => unknown) => void }) {
  const lab = await labDir(SCENARIO);
  const atomlab = join(lab.dir, '.atomlab');
  await mkdir(atomlab, { recursive: true, mode: 0o700 });
  const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
  await writeFile(join(atomlab, 'lock'), `${holder.pid}\n`);
  await writeFile(join(atomlab, 'progress.json'), HOLDERS);
  t.teardown(async () => {
    holder.kill();
    await rm(lab.dir, { recursive: true, force: true });
  });
  return { ...lab, progress: () => readFile(join(atomlab, 'progress.json'), 'utf8'), holder };
}

test('a recorder writes nothing until the lab is held, and its outcome after', async (t) => {
  const { dir } = await labDir(SCENARIO);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, '.atomlab', 'progress.json');
  const waiting = new ProgressRecorder({ file, command: 'up' });
  waiting.labSink({ kind: 'warning', message: 'waiting for another atomlab (pid 1) working on lab x to finish' });
  await sleep(400); // past the coalescing interval
  await waiting.finish('interrupted');
  await t.throwsAsync(readFile(file, 'utf8'), { code: 'ENOENT' });
  const holding = new ProgressRecorder({ file, command: 'up' });
  holding.labSink({ kind: 'held', lab: 'x' });
  holding.labSink({ kind: 'phase', vm: 'host1', phase: 'verified' });
  await holding.finish('passed');
  const written = JSON.parse(await readFile(file, 'utf8')) as { outcome: string; pid: number; vms: Record<string, { phase: string }> };
  t.is(written.outcome, 'passed');
  t.is(written.pid, process.pid);
  t.is(written.vms.host1?.phase, 'verified');
});

test('up --no-wait refused by the lock leaves the holder\'s progress.json as it was', async (t) => {
  const lab = await lockedLab(t);
  const refused = await runCli(['up', '--no-wait', lab.file]);
  t.is(refused.exitCode, 1, refused.stderr);
  t.regex(refused.stderr, new RegExp(`pid ${lab.holder.pid}`));
  t.is(await lab.progress(), HOLDERS);
});

test('an up waiting for the lock, then interrupted, leaves the holder\'s progress.json as it was', async (t) => {
  const lab = await lockedLab(t);
  const child = spawn(process.execPath, [BIN, 'up', lab.file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const closed = once(child, 'close');
  for (const deadline = Date.now() + 60_000; !/waiting for another atomlab/.test(stderr) && Date.now() < deadline; ) await sleep(100);
  t.regex(stderr, new RegExp(`waiting for another atomlab \\(pid ${lab.holder.pid}\\)`));
  await sleep(1000); // several of the recorder's write intervals
  t.is(await lab.progress(), HOLDERS);
  child.kill('SIGINT');
  const [code] = await closed;
  t.is(code, 130, stderr);
  t.is(await lab.progress(), HOLDERS);
});
