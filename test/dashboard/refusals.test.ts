import test from 'ava';
import { request } from 'node:http';
import { connect } from 'node:net';
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
