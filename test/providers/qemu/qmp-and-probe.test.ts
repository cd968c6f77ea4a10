import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { QmpClient, QmpError } from '../../../providers/qemu/qmp-client.js';
import { bootReachesPanic, probeAccelerator } from '../../../providers/qemu/accel-probe.js';

const run = promisify(execFile);

test('QMP talks to a real QEMU: status, an error, and quit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-qmp-'));
  const socket = join(dir, 'qmp.sock');
  const pidFile = join(dir, 'qemu.pid');
  await run('qemu-system-x86_64', ['-machine', 'none', '-nodefaults', '-display', 'none', '-qmp', `unix:${socket},server=on,wait=off`, '-pidfile', pidFile, '-daemonize']);
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  const client = await QmpClient.connect(socket);
  try {
    const status = await client.execute<{ status: string; running: boolean }>('query-status');
    t.true(['running', 'prelaunch', 'paused'].includes(status.status));
    const error = await t.throwsAsync(client.execute('no-such-command'), { instanceOf: QmpError });
    t.is(error.errorClass, 'CommandNotFound');
    await client.execute('quit').catch(() => undefined);
  } finally {
    client.close();
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } catch {
      return t.pass();
    }
  }
  t.fail(`QEMU ${pid} still running after quit`);
});

test('without a usable /dev/kvm the probe answers TCG and says why', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-probe-'));
  const answer = await probeAccelerator({ binary: 'qemu-system-x86_64', kvmDevice: join(dir, 'kvm'), cacheFile: join(dir, 'cache.json') });
  t.deepEqual(answer, { accel: 'tcg', reason: `${join(dir, 'kvm')} is absent or not writable` });
  await t.throwsAsync(readFile(join(dir, 'cache.json'), 'utf8'), undefined, 'only a probe boot\'s answer is cached');
});

test('a probe boot that cannot reach a kernel answers false and leaves no QEMU behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-probe-'));
  const notAKernel = join(dir, 'vmlinuz-bogus');
  await writeFile(notAKernel, 'not a kernel');
  const boot = await bootReachesPanic('qemu-system-x86_64', notAKernel, 5_000);
  t.false(boot.reached);
  t.truthy(boot.why);
  const { stdout } = await run('ps', ['-eo', 'args']).catch(() => ({ stdout: '' }));
  t.false(stdout.includes(notAKernel), 'the probe QEMU was reaped');
});
