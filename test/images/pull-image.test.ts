import test from 'ava';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomlabError } from '../../lab/errors/index.js';
import { pullImage, type ImageSource, type PullOptions } from '../../lab/images/index.js';
import { startImageServer, type ServedFile } from '../fixtures/image-server.js';
import { cacheProblems, makeTestImages, sha256, type TestImages } from '../fixtures/test-images.js';

let images: TestImages;
test.before(async () => {
  images = await makeTestImages();
});
test.after.always(() => images.cleanup());

// serial tests and a generous idle timeout: the machine is shared, and a starved event loop is not a stall
const FAST = { idleTimeoutMs: 20_000, retries: 3, retryDelayMs: 10 };

/** A fresh cache and a server with one file; hands both to the test and cleans up. */
async function withServer(file: Omit<ServedFile, 'body'> & { body?: Buffer }, run: (ctx: {
  url: string; cacheDir: string; requests: Awaited<ReturnType<typeof startImageServer>>['requests'];
  pull: (source?: Partial<ImageSource>, options?: PullOptions) => ReturnType<typeof pullImage>;
}) => Promise<void>) {
  const body = file.body ?? (await images.read('xz'));
  const server = await startImageServer({ '/disk.raw.xz': { ...file, body } }, { '/latest/disk.raw.xz': '/disk.raw.xz' });
  const cacheDir = await mkdtemp(join(tmpdir(), 'atomlab-cache-'));
  const url = server.url('/disk.raw.xz');
  const pull = (source: Partial<ImageSource> = {}, options: PullOptions = {}) =>
    pullImage({ url, digest: { algorithm: 'sha256', hex: sha256(body) }, verify: true, ...source }, { cacheDir, ...FAST, ...options });
  try {
    await run({ url, cacheDir, requests: server.requests, pull });
  } finally {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

test.serial('pulls, verifies and decompresses an xz image; a second pull comes from the cache', async (t) => {
  await withServer({}, async ({ pull, cacheDir, requests }) => {
    const first = await pull({}, { onProgress: () => undefined });
    t.is(first.sha256, images.rawSha256);
    t.deepEqual([first.format, first.virtualSize, first.cached], ['raw', images.raw.length, false]);
    t.true(sha256(await readFile(first.path)) === images.rawSha256);
    const info = await stat(first.path);
    t.true(info.blocks * 512 < images.raw.length - 1024 * 1024, 'zero blocks are holes');
    const second = await pull();
    t.deepEqual([second.path, second.cached], [first.path, true]);
    t.is(requests.length, 1);
    t.deepEqual(await cacheProblems(cacheDir, [images.rawSha256]), []);
  });
});

test.serial('a connection dropped mid-body is resumed with Range and If-Range', async (t) => {
  await withServer({ dropAfter: [1_500_000] }, async ({ pull, cacheDir, requests }) => {
    const image = await pull();
    t.is(image.sha256, images.rawSha256);
    t.is(requests.length, 2);
    // continues where the bytes that arrived end (a reset may lose a little of what was sent)
    const offset = Number(/^bytes=(\d+)-$/.exec(requests[1]!.range ?? '')?.[1]);
    t.true(offset > 1_000_000 && offset <= 1_500_000, String(requests[1]!.range));
    t.is(requests[1]!.ifRange, '"test-etag-1"');
    t.deepEqual(await cacheProblems(cacheDir, [images.rawSha256]), []);
  });
});

test.serial('a server that ignores Range makes the download restart cleanly', async (t) => {
  await withServer({ ranges: false, dropAfter: [1_500_000] }, async ({ pull, cacheDir, requests }) => {
    const image = await pull();
    t.is(image.sha256, images.rawSha256);
    t.regex(requests[1]!.range ?? '', /^bytes=\d+-$/, 'it was asked to resume');
    t.deepEqual(await cacheProblems(cacheDir, [images.rawSha256]), []);
  });
});

test.serial('redirects are followed', async (t) => {
  await withServer({}, async ({ pull, url, cacheDir, requests }) => {
    const image = await pull({ url: url.replace('/disk.raw.xz', '/latest/disk.raw.xz') });
    t.is(image.sha256, images.rawSha256);
    t.deepEqual(requests.map((request) => request.path), ['/latest/disk.raw.xz', '/disk.raw.xz']);
    t.deepEqual(await cacheProblems(cacheDir, [images.rawSha256]), []);
  });
});

test.serial('404 is a NOT_FOUND error, not retried', async (t) => {
  await withServer({}, async ({ pull, url, cacheDir, requests }) => {
    const error = await t.throwsAsync(pull({ url: url.replace('disk.raw.xz', 'missing.raw.xz') }), { instanceOf: AtomlabError });
    t.is(error?.code, 'NOT_FOUND');
    t.regex(error!.message, /404/);
    t.is(requests.length, 1);
    t.deepEqual(await cacheProblems(cacheDir, []), []);
  });
});

test.serial('500 is retried with backoff, then succeeds', async (t) => {
  await withServer({ failures: [500, 503] }, async ({ pull, cacheDir, requests }) => {
    t.is((await pull()).sha256, images.rawSha256);
    t.is(requests.length, 3);
    t.deepEqual(await cacheProblems(cacheDir, [images.rawSha256]), []);
  });
});

test.serial('a stalled server hits the idle timeout; the error says so and nothing is cached', async (t) => {
  await withServer({ stallAfter: 100_000 }, async ({ pull, cacheDir, requests }) => {
    const error = await t.throwsAsync(pull({}, { idleTimeoutMs: 1000, retries: 1 }), { instanceOf: AtomlabError });
    t.regex(error!.message, /no data for 1000 ms/);
    t.regex(error!.message, /after 2 attempts/);
    t.is(requests.length, 2);
    t.deepEqual(await cacheProblems(cacheDir, []), []);
    t.true((await readdir(join(cacheDir, 'partial'))).length > 0, 'the bytes received are kept for a resume');
  });
});

test.serial('without a validator (no ETag or Last-Modified) nothing is kept for a resume, and a retry starts over', async (t) => {
  await withServer({ etag: false, stallAfter: 1_500_000 }, async ({ pull, cacheDir, requests }) => {
    await t.throwsAsync(pull({}, { idleTimeoutMs: 1000, retries: 1 }), { instanceOf: AtomlabError });
    t.is(requests.length, 2);
    t.is(requests[1]!.range, undefined, 'no If-Range is possible, so no Range either');
    t.deepEqual(await readdir(join(cacheDir, 'partial')), [], 'bytes no request could continue from are not stored');
    t.deepEqual(await cacheProblems(cacheDir, []), []);
  });
  await withServer({ etag: false, dropAfter: [1_500_000] }, async ({ pull, requests }) => {
    t.is((await pull()).sha256, images.rawSha256);
    t.is(requests[1]!.range, undefined);
  });
});

test.serial('a wrong digest is an error naming both digests; nothing is cached', async (t) => {
  const wrong = 'ab'.repeat(32);
  await withServer({}, async ({ pull, cacheDir }) => {
    const error = await t.throwsAsync(pull({ digest: { algorithm: 'sha256', hex: wrong } }), { instanceOf: AtomlabError });
    t.true(error!.message.includes(wrong));
    t.true(error!.message.includes(sha256(await images.read('xz'))));
    t.deepEqual(await cacheProblems(cacheDir, []), []);
    t.deepEqual(await readdir(join(cacheDir, 'partial')), [], 'a wrong download is not kept for a resume');
  });
});

test.serial('a truncated xz stream fails in xz; nothing is cached', async (t) => {
  const xz = await images.read('xz');
  await withServer({ body: xz.subarray(0, xz.length - 5000) }, async ({ pull, cacheDir }) => {
    const error = await t.throwsAsync(pull(), { instanceOf: AtomlabError });
    t.regex(error!.message, /xz could not decompress.*(Unexpected end of input|truncated)/i);
    t.deepEqual(await cacheProblems(cacheDir, []), []);
  });
});

for (const kind of ['gz', 'zst', 'bz2', 'raw', 'qcow2'] as const) {
  test.serial(`detects ${kind} by its bytes (served under an .xz name)`, async (t) => {
    await withServer({ body: await images.read(kind) }, async ({ pull, cacheDir }) => {
      const image = await pull();
      t.is(image.format, kind === 'qcow2' ? 'qcow2' : 'raw');
      t.is(image.virtualSize, images.raw.length);
      if (kind !== 'qcow2') t.is(image.sha256, images.rawSha256);
      t.deepEqual(await cacheProblems(cacheDir, [image.sha256]), []);
    });
  });
}

test.serial('a declared format that does not match is refused', async (t) => {
  await withServer({}, async ({ pull, cacheDir }) => {
    await t.throwsAsync(pull({ format: 'qcow2' }), { message: /expected a qcow2 image, got raw/ });
    t.deepEqual(await cacheProblems(cacheDir, []), []);
  });
});

test.serial('a local path is read in place (no verification asked)', async (t) => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'atomlab-cache-'));
  const image = await pullImage({ path: images.files.zst, verify: false }, { cacheDir });
  t.is(image.sha256, images.rawSha256);
  const again = await pullImage({ url: `file://${images.files.zst}`, verify: false }, { cacheDir });
  t.is(again.path, image.path);
  t.deepEqual(await cacheProblems(cacheDir, [images.rawSha256]), []);
  await rm(cacheDir, { recursive: true, force: true });
});

test.serial('verify: true without a digest or checksum file is bad input', async (t) => {
  const error = await t.throwsAsync(pullImage({ path: images.files.xz, verify: true }), { instanceOf: AtomlabError });
  t.is(error?.code, 'BAD_INPUT');
});

test.serial('checksum files in Fedora and GNU format; one without the image name is a clear error', async (t) => {
  const xzSha = sha256(await images.read('xz'));
  const fedora = `# comment\nSHA256 (disk.raw.xz) = ${xzSha}\n`;
  const gnu = `${'0'.repeat(64)}  other.raw.xz\n${xzSha}  disk.raw.xz\n`;
  const none = `SHA256 (other.raw.xz) = ${xzSha}\n`;
  for (const [index, [text, ok]] of ([[fedora, true], [gnu, true], [none, false]] as const).entries()) {
    const checksum = join(images.dir, `CHECKSUM-${index}`);
    await writeFile(checksum, text);
    await withServer({}, async ({ pull, cacheDir }) => {
      const attempt = pull({ digest: undefined, checksumUrl: `file://${checksum}` });
      if (ok) {
        t.is((await attempt).sha256, images.rawSha256);
        await rm(checksum);
        t.true((await pull({ digest: undefined, checksumUrl: `file://${checksum}` })).cached, 'no checksum fetch once cached');
      }
      else await t.throwsAsync(attempt, { message: /has no checksum for disk\.raw\.xz/ });
      t.deepEqual(await cacheProblems(cacheDir, ok ? [images.rawSha256] : []), []);
    });
  }
});
