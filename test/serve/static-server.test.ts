import test from 'ava';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaticServer, parseByteRange } from '../../lab/serve/index.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request: the path is sent exactly as given (no client-side normalizing of ../). */
function get(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const CONTENT = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

test.before(async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'atomlab-serve-'));
  const root = join(base, 'root');
  await mkdir(join(root, 'repo', 'objects'), { recursive: true });
  await writeFile(join(root, 'repo', 'config'), '[core]\nmode=archive-z2\n');
  await writeFile(join(root, 'blob.bin'), CONTENT);
  await writeFile(join(root, 'empty'), '');
  await writeFile(join(root, 'with space.txt'), 'spaced\n');
  await writeFile(join(base, 'secret'), 'outside the root\n');
  await symlink(join(base, 'secret'), join(root, 'escape'));
  await symlink('repo/config', join(root, 'inside-link'));
  const lines: string[] = [];
  const server = await createStaticServer({ root, log: (line) => lines.push(line) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.context = { port: (server.address() as AddressInfo).port, lines, server };
});

test.after.always((t) => {
  const { server } = t.context as { server?: Server };
  server?.close();
  server?.closeAllConnections();
});

const ctx = (t: { context: unknown }) => t.context as { port: number; lines: string[] };

test('GET serves a file with its length; HEAD the same headers and no body', async (t) => {
  const { port } = ctx(t);
  const got = await get(port, '/repo/config');
  t.is(got.status, 200);
  t.is(got.body, '[core]\nmode=archive-z2\n');
  t.is(got.headers['content-length'], '23');
  t.is(got.headers['accept-ranges'], 'bytes');
  const head = await get(port, '/repo/config', { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.headers['content-length'], '23');
  t.is(head.body, '');
  t.is((await get(port, '/with%20space.txt')).body, 'spaced\n');
  t.is((await get(port, '/empty')).headers['content-length'], '0');
});

test('Range requests: a middle slice, an open end, a suffix; past the end is 416', async (t) => {
  const { port } = ctx(t);
  const slice = await get(port, '/blob.bin', { headers: { Range: 'bytes=10-19' } });
  t.is(slice.status, 206);
  t.is(slice.headers['content-range'], 'bytes 10-19/1000');
  t.is(slice.headers['content-length'], '10');
  t.deepEqual(Buffer.from(slice.body, 'latin1'), CONTENT.subarray(10, 20));
  const open = await get(port, '/blob.bin', { headers: { Range: 'bytes=990-' } });
  t.is(open.headers['content-range'], 'bytes 990-999/1000');
  t.deepEqual(Buffer.from(open.body, 'latin1'), CONTENT.subarray(990));
  const suffix = await get(port, '/blob.bin', { headers: { Range: 'bytes=-5' } });
  t.deepEqual(Buffer.from(suffix.body, 'latin1'), CONTENT.subarray(995));
  const past = await get(port, '/blob.bin', { headers: { Range: 'bytes=1000-' } });
  t.is(past.status, 416);
  t.is(past.headers['content-range'], 'bytes */1000');
  const head = await get(port, '/blob.bin', { method: 'HEAD', headers: { Range: 'bytes=0-99' } });
  t.is(head.status, 206);
  t.is(head.headers['content-length'], '100');
  t.is(head.body, '');
});

test('missing files and directories are 404; other methods 405', async (t) => {
  const { port } = ctx(t);
  t.is((await get(port, '/nope')).status, 404);
  t.is((await get(port, '/repo')).status, 404);
  t.is((await get(port, '/repo/objects/')).status, 404);
  const post = await get(port, '/repo/config', { method: 'POST' });
  t.is(post.status, 405);
  t.is(post.headers.allow, 'GET, HEAD');
});

test('paths out of the root are refused: ../, encoded ../, NUL, and symlinks leading out', async (t) => {
  const { port, lines } = ctx(t);
  for (const path of ['/../secret', '/repo/../../secret', '/%2e%2e/secret', '/..%2fsecret', '/repo%2f..%2f..%2fsecret', '/escape', '/blob.bin%00', '/%ff']) {
    const got = await get(port, path);
    t.is(got.status, 404, path);
    t.notRegex(got.body, /outside the root/, path);
  }
  t.is((await get(port, '/inside-link')).body, '[core]\nmode=archive-z2\n', 'a symlink within the root is followed');
  t.true(lines.some((line) => / GET \/escape 404 /.test(line)), 'requests are logged');
});

test('parseByteRange follows RFC 9110 for single ranges', (t) => {
  t.deepEqual(parseByteRange('bytes=0-0', 10), { start: 0, end: 0 });
  t.deepEqual(parseByteRange('bytes=5-100', 10), { start: 5, end: 9 });
  t.deepEqual(parseByteRange('bytes=-100', 10), { start: 0, end: 9 });
  t.is(parseByteRange('bytes=-0', 10), 'unsatisfiable');
  t.is(parseByteRange('bytes=10-', 10), 'unsatisfiable');
  t.is(parseByteRange('bytes=5-2', 10), undefined);
  t.is(parseByteRange('bytes=0-1,3-4', 10), undefined);
  t.is(parseByteRange('items=0-1', 10), undefined);
  t.is(parseByteRange(undefined, 10), undefined);
});

test('delay: a matching path is answered only later (a slow mirror), others at once; a client giving up cancels it', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'atomlab-serve-delay-'));
  await writeFile(join(root, 'tree.tar.gz'), 'tree');
  await writeFile(join(root, 'ref'), 'ref');
  const server = await createStaticServer({ root, delay: { match: /\.tar\.gz$/, ms: 600_000 } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let held = 'pending';
  const slow = request({ host: '127.0.0.1', port, path: '/tree.tar.gz' }, () => (held = 'answered'));
  slow.on('error', () => (held = 'cancelled'));
  slow.end();
  const fast = await get(port, '/ref');
  t.is(fast.body, 'ref');
  t.is(held, 'pending', 'the matching request is still held back while the other was answered');
  slow.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.not(held, 'answered');
});
