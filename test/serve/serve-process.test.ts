import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverAlive, startServer, stopServer, stopServersLoggingUnder } from '../../lab/serve/index.js';
import { portAnswers } from '../helpers/lab.js';

async function root(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-served-'));
  await writeFile(join(dir, 'hello.txt'), 'hello from the lab\n');
  return dir;
}

test('the daemon outlives its start call, answers, and stops; a restart keeps its port', async (t) => {
  const dir = await root();
  const logFile = join(dir, 'logs', 'files.log');
  const server = await startServer({ root: dir, host: '127.0.0.1', logFile });
  t.teardown(() => stopServer(server));
  t.true(await serverAlive(server));
  const body = await (await fetch(`http://127.0.0.1:${server.port}/hello.txt`)).text();
  t.is(body, 'hello from the lab\n');
  await stopServer(server);
  t.false(await serverAlive(server));
  t.false(await portAnswers(server.port));
  const again = await startServer({ root: dir, host: '127.0.0.1', logFile, port: server.port });
  t.teardown(() => stopServer(again));
  t.is(again.port, server.port);
  t.not(again.pid, server.pid);
  t.is((await fetch(`http://127.0.0.1:${again.port}/hello.txt`)).status, 200);
  await stopServer(again);
  const log = await readFile(logFile, 'utf8');
  t.regex(log, /GET \/hello.txt 200 19/);
  t.regex(log, /stopping \(SIGTERM\)/);
});

test('a taken port is refused with a hint when the port is required', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const dir = await root();
  await t.throwsAsync(startServer({ root: dir, host: '127.0.0.1', logFile: join(dir, 'files.log'), port }), { message: new RegExp(`cannot serve .* on 127.0.0.1:${port}: port ${port} is in use`) });
});

test('a recycled pid is not taken for the server', async (t) => {
  const dir = await root();
  t.false(await serverAlive({ root: dir, host: '127.0.0.1', port: 1, pid: process.pid, logFile: '', startedAt: '' }));
  await stopServer({ root: dir, host: '127.0.0.1', port: 1, pid: process.pid, logFile: '', startedAt: '' });
  t.pass('stopServer left this process alone');
});

test('a missing root fails clearly', async (t) => {
  const dir = await root();
  await t.throwsAsync(startServer({ root: join(dir, 'nope'), host: '127.0.0.1', logFile: join(dir, 'files.log') }), { message: /could not start: ENOENT/ });
});

test('servers no state recorded are found by their log directory and stopped', async (t) => {
  const dir = await root();
  const logDir = join(dir, 'lab-a', 'serve');
  const orphan = await startServer({ root: dir, host: '127.0.0.1', logFile: join(logDir, 'files.log') });
  const other = await startServer({ root: dir, host: '127.0.0.1', logFile: join(dir, 'lab-b', 'serve', 'files.log') });
  t.teardown(() => stopServer(other));
  t.deepEqual(await stopServersLoggingUnder(logDir), [orphan.pid]);
  t.false(await serverAlive(orphan));
  t.false(await portAnswers(orphan.port));
  t.true(await serverAlive(other), 'another lab\'s server is left alone');
});
