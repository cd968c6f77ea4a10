import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDashboard } from '../../lab/dashboard/index.js';
import { labDir } from '../helpers/lab.js';
import { providers } from '../../providers/registry.js';

// The dashboard of a lab never brought up (no VM): what it refuses, asked over raw HTTP so
// that no client tidies the paths first.
async function dashboard(t: { teardown: (fn: () => unknown) => void }) {
  const { file } = await labDir('name: refusals\nvms:\n  - name: host1\n    image: tiny\n');
  const served = await startDashboard({ file, providers });
  t.teardown(() => served.close());
  return served;
}

/** The status line of a request sent byte for byte as written. */
function rawStatus(port: number, requestLine: string, headers: string[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${requestLine}\r\nHost: 127.0.0.1:${port}\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`));
    let text = '';
    socket.on('data', (data: Buffer) => (text += data.toString('latin1')));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

function post(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{"kind":"reset"}');
  });
}

test('traversal out of the page\'s files is never served: ../, encoded ../ and backslashes reach no file', async (t) => {
  const { port, token } = await dashboard(t);
  t.is(await rawStatus(port, `GET /app.js?token=${token} HTTP/1.1`), 200, 'the page\'s own file is served');
  for (const path of ['/../../../../etc/passwd', '/app.js/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/..\\..\\..\\etc\\passwd', '/reports/../../package.json', '/api/vms/..%2f..%2fetc/snapshots']) {
    const status = await rawStatus(port, `GET ${path}?token=${token} HTTP/1.1`);
    t.true(status === 404 || status === 400, `${path}: ${status}`);
  }
});

test('without the token everything is 403; a changing request needs the token header and no foreign origin', async (t) => {
  const { port, token } = await dashboard(t);
  for (const path of ['/', '/app.js', '/api/lab', '/api/events', '/roster', '/reports/json', '/../../etc/passwd']) t.is(await rawStatus(port, `GET ${path} HTTP/1.1`), 403, path);
  const action = '/api/vms/host1/actions';
  t.is(await post(port, `${action}?token=${token}`, {}), 403, 'the token in the URL is not enough for a POST');
  t.is(await post(port, action, { 'X-Atomlab-Token': token, Origin: 'http://evil.example' }), 403, 'another origin');
  t.is(await post(port, action, { 'X-Atomlab-Token': token, Origin: 'null' }), 403, 'a sandboxed or file: page');
  t.is(await post(port, action, { 'X-Atomlab-Token': 'x'.repeat(43) }), 403, 'a wrong token');
});

test('while another atomlab\'s up works on the lab the page\'s changes are refused (409, naming it); a record whose process is gone reads as killed', async (t) => {
  const { file } = await labDir('name: refusals\nvms:\n  - name: host1\n    image: tiny\n');
  const atomlab = join(dirname(file), '.atomlab');
  await mkdir(atomlab, { recursive: true, mode: 0o700 });
  const other = spawn('sleep', ['600'], { stdio: 'ignore' });
  t.teardown(() => other.kill());
  const record = (pid: number) => writeFile(join(atomlab, 'progress.json'), JSON.stringify({ version: 1, command: 'up', pid, startedAt: new Date().toISOString(), vms: {}, steps: [], results: [], reports: {} }));
  await record(other.pid!);
  const served = await startDashboard({ file, providers });
  t.teardown(() => served.close());
  const base = `http://127.0.0.1:${served.port}`;
  const lab = async () => ((await (await fetch(`${base}/api/lab?token=${served.token}`)).json()) as { lab?: { progress?: { outcome?: string } } }).lab ?? {};
  const reset = () => fetch(`${base}/api/vms/host1/actions`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Atomlab-Token': served.token }, body: '{"kind":"reset"}' });
  t.is((await lab()).progress?.outcome, undefined, 'a live up is running');
  const refused = await reset();
  t.is(refused.status, 409);
  t.is(((await refused.json()) as { error: string }).error, `atomlab up (pid ${other.pid}) is working on the lab: wait for it to finish`);
  other.kill();
  await once(other, 'exit');
  for (const deadline = Date.now() + 30_000; (await lab()).progress?.outcome !== 'killed' && Date.now() < deadline; ) await sleep(200);
  t.is((await lab()).progress?.outcome, 'killed', 'an up that died without an outcome');
  t.is((await reset()).status, 202, 'the lab is free again');
});
