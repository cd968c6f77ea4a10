import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startImageServer } from '../fixtures/image-server.js';
import { cacheProblems, makeTestImages, sha256, type TestImages } from '../fixtures/test-images.js';

let images: TestImages;
test.before(async () => {
  images = await makeTestImages({ randomMiB: 4, zeroMiB: 2 });
});
test.after.always(() => images.cleanup());

/** `atomlab images pull URL --sha256 … --json` in its own process, with its own ATOMLAB_HOME. */
function pullInChild(url: string, digest: string, home: string) {
  const child = spawn(process.execPath, ['bin/atomlab.js', 'images', 'pull', url, '--sha256', digest, '--json'], {
    env: { ...process.env, ATOMLAB_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const result = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, result };
}

test('two processes pulling one image download it once and both succeed', async (t) => {
  const body = await images.read('xz');
  const server = await startImageServer({ '/disk.raw.xz': { body, throttleMs: 5 } });
  const home = await mkdtemp(join(tmpdir(), 'atomlab-home-'));
  try {
    const url = server.url('/disk.raw.xz');
    const [a, b] = [pullInChild(url, sha256(body), home), pullInChild(url, sha256(body), home)];
    const results = await Promise.all([a.result, b.result]);
    for (const result of results) t.is(result.code, 0, result.stderr);
    const [first, second] = results.map((result) => JSON.parse(result.stdout) as { path: string; sha256: string });
    t.deepEqual(first, second);
    t.is(first!.sha256, images.rawSha256);
    t.is(server.requests.length, 1, 'downloaded once');
    t.deepEqual(await cacheProblems(join(home, 'images'), [images.rawSha256]), []);
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
});

async function partialBytes(home: string): Promise<number> {
  const dir = join(home, 'images', 'partial');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.part'));
  return names.length ? (await stat(join(dir, names[0]!))).size : 0;
}

test('a pull killed with SIGKILL mid-download leaves no entry, and the next pull resumes', async (t) => {
  const body = await images.read('xz');
  const server = await startImageServer({ '/disk.raw.xz': { body, throttleMs: 20 } });
  const home = await mkdtemp(join(tmpdir(), 'atomlab-home-'));
  try {
    const url = server.url('/disk.raw.xz');
    const killed = pullInChild(url, sha256(body), home);
    while ((await partialBytes(home)) < 1024 * 1024) await sleep(20);
    killed.child.kill('SIGKILL');
    t.is((await killed.result).code, null);
    const kept = await partialBytes(home);
    t.true(kept > 0 && kept < body.length);
    t.deepEqual(await cacheProblems(join(home, 'images'), []).then((p) => p.filter((x) => !x.startsWith('temporary'))), []);

    const again = pullInChild(url, sha256(body), home);
    const result = await again.result;
    t.is(result.code, 0, result.stderr);
    t.is((JSON.parse(result.stdout) as { sha256: string }).sha256, images.rawSha256);
    const resumed = server.requests[server.requests.length - 1]!;
    t.regex(resumed.range ?? '', /^bytes=\d+-$/);
    t.true(Number(/\d+/.exec(resumed.range!)![0]) >= kept - 64 * 1024, 'continued from the kept bytes');
    t.deepEqual(await cacheProblems(join(home, 'images'), [images.rawSha256]), []);
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
});

test('Ctrl-C (SIGINT) stops a pull with exit 130, caches nothing, and keeps the bytes for a resume', async (t) => {
  const body = await images.read('xz');
  const server = await startImageServer({ '/disk.raw.xz': { body, throttleMs: 20 } });
  const home = await mkdtemp(join(tmpdir(), 'atomlab-home-'));
  try {
    const pull = pullInChild(server.url('/disk.raw.xz'), sha256(body), home);
    while ((await partialBytes(home)) < 512 * 1024) await sleep(20);
    pull.child.kill('SIGINT');
    const result = await pull.result;
    t.is(result.code, 130, result.stderr);
    t.regex(result.stderr, /interrupted/);
    t.true((await partialBytes(home)) > 0);
    t.deepEqual(await cacheProblems(join(home, 'images'), []), []);
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
});
