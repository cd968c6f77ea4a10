import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startImageServer } from '../fixtures/image-server.js';
import { makeTestImages, sha256, type TestImages } from '../fixtures/test-images.js';

let images: TestImages;
test.before(async () => {
  images = await makeTestImages({ randomMiB: 1, zeroMiB: 1 });
});
test.after.always(() => images.cleanup());

interface Run { code: number; stdout: string; stderr: string }

function atomlab(home: string, ...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['bin/atomlab.js', ...args], { env: { ...process.env, ATOMLAB_HOME: home } }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function withHome(run: (home: string) => Promise<void>): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'atomlab-home-'));
  try {
    await run(home);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

test('images pull --json prints only the JSON document; ls lists it; rm removes it', async (t) => {
  const server = await startImageServer({ '/disk.raw.xz': { body: await images.read('xz') } });
  await withHome(async (home) => {
    const pulled = await atomlab(home, 'images', 'pull', server.url('/disk.raw.xz'), '--sha256', sha256(await images.read('xz')), '--json');
    t.is(pulled.code, 0, pulled.stderr);
    const result = JSON.parse(pulled.stdout) as Record<string, unknown>;
    t.deepEqual(Object.keys(result).sort(), ['format', 'id', 'path', 'sha256', 'virtualSize']);
    t.is(result.sha256, images.rawSha256);
    const listed = JSON.parse((await atomlab(home, 'images', 'ls', '--json')).stdout) as Array<{ sha256: string }>;
    t.deepEqual(listed.map((image) => image.sha256), [images.rawSha256]);
    t.regex((await atomlab(home, 'images', 'ls')).stdout, /disk\.raw\.xz\s+raw\s+3 MiB/);
    t.is((await atomlab(home, 'images', 'rm', images.rawSha256.slice(0, 12))).code, 0);
    t.deepEqual(JSON.parse((await atomlab(home, 'images', 'ls', '--json')).stdout), []);
    t.is((await atomlab(home, 'images', 'rm', 'nothing-like-this')).code, 1);
  });
  await server.close();
});

test('images verify re-hashes the cache and removes a damaged entry (exit 1)', async (t) => {
  await withHome(async (home) => {
    const path = JSON.parse((await atomlab(home, 'images', 'pull', images.files.gz, '--json')).stdout).path as string;
    t.is((await atomlab(home, 'images', 'verify')).code, 0);
    const handle = await open(path, 'r+');
    await handle.write(Buffer.from('damage'), 0, 6, 4096);
    await handle.close();
    const verified = await atomlab(home, 'images', 'verify', '--json');
    t.is(verified.code, 1);
    t.is((JSON.parse(verified.stdout) as { bad: unknown[] }).bad.length, 1);
    t.deepEqual(JSON.parse((await atomlab(home, 'images', 'ls', '--json')).stdout), []);
  });
});

test('images prune removes leftovers of interrupted pulls', async (t) => {
  await withHome(async (home) => {
    const cache = join(home, 'images');
    for (const dir of ['partial', 'tmp', 'entries/abc']) await mkdir(join(cache, dir), { recursive: true });
    await writeFile(join(cache, 'partial', 'k1.part'), 'bytes');
    await writeFile(join(cache, 'tmp', 'k1.1.aa.img'), 'bytes');
    await writeFile(join(cache, 'entries/abc/disk.raw'), 'no meta: not complete');
    const pruned = await atomlab(home, 'images', 'prune');
    t.is(pruned.code, 0, pruned.stderr);
    t.regex(pruned.stderr, /pruned 3 leftover items/);
    t.deepEqual([...(await readdir(join(cache, 'partial'))), ...(await readdir(join(cache, 'tmp'))), ...(await readdir(join(cache, 'entries')))], []);
  });
});

test('bad input and unknown ids are clear errors with the right exit codes', async (t) => {
  await withHome(async (home) => {
    const unknown = await atomlab(home, 'images', 'pull', 'no-such-image');
    t.is(unknown.code, 1);
    t.regex(unknown.stderr, /unknown image "no-such-image"\n {2}hint: list the catalog with `atomlab images ls --catalog`, or give a URL or a path/);
    const typo = await atomlab(home, 'images', 'pull', 'tinny');
    t.regex(typo.stderr, /unknown image "tinny" \(did you mean "tiny"\?\)/);
    const badDigest = await atomlab(home, 'images', 'pull', images.files.xz, '--sha256', 'xyz');
    t.is(badDigest.code, 2);
    t.regex(badDigest.stderr, /not a sha256 digest/);
    t.notRegex(badDigest.stderr, /at .*\.js:\d+/, 'no stack trace');
  });
});
