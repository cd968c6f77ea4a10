import test from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AtomlabError } from '../../../lab/errors/index.js';
import { GceClient } from '../../../providers/gce/gce-client.js';
import { ensureBucket } from '../../../providers/gce/gcs-bucket.js';
import { uploadObject, type UploadProgress } from '../../../providers/gce/gcs-upload.js';
import { GoogleHttp } from '../../../providers/gce/google-http.js';
import { makeImageTarball } from '../../../providers/gce/image-tarball.js';
import { testCredentials, useCredentials } from '../../fixtures/clouds/gce-adc.js';
import { googleError, startGceRecorder, type GceRecorder } from '../../fixtures/clouds/gce-recorder.js';

const run = promisify(execFile);
let recorder: GceRecorder;
let http: GoogleHttp;

test.before(async () => {
  recorder = await startGceRecorder();
  useCredentials(await testCredentials(recorder));
  const client = new GceClient({ endpoint: recorder.endpoint });
  http = new GoogleHttp({ storageBase: recorder.endpoint, authorization: () => client.authorization() });
  await ensureBucket(http, { project: 'atomlab-test-1', bucket: 'atomlab-atomlab-test-1', location: 'europe-west1' });
});
test.beforeEach(() => {
  recorder.rules.length = 0;
});
test.after.always(async () => {
  await recorder?.close();
});

/** A sparse raw disk: 64 MiB with data at 0, 1 MiB and its last 4 KiB; the rest holes. */
async function sparseRaw(): Promise<{ path: string; data: Buffer[] }> {
  const path = join(await mkdtemp(join(tmpdir(), 'atomlab-gce-raw-')), 'sha256-cached-entry');
  const data = [randomBytes(64 * 1024), randomBytes(300 * 1024), randomBytes(4096)];
  const file = await open(path, 'w');
  await file.write(data[0]!, 0, data[0]!.length, 0);
  await file.write(data[1]!, 0, data[1]!.length, 1024 * 1024);
  await file.write(data[2]!, 0, data[2]!.length, 64 * 1024 * 1024 - 4096);
  await file.close();
  return { path, data };
}

test('the tarball is what GCE documents: one member disk.raw, GNU oldgnu format, sparse; real tar and qemu-img read it back whole', async (t) => {
  const raw = await sparseRaw();
  const out = join(await mkdtemp(join(tmpdir(), 'atomlab-gce-tar-')), 'image.tar.gz');
  const tarball = await makeImageTarball({ raw: raw.path, out });
  t.true(tarball.bytes < 1024 * 1024, 'holes are not stored');
  const { stdout: listing } = await run('tar', ['-tvzf', out]);
  t.regex(listing.trim(), /^-rw\S+ \S+\s+67108864 \S+ \S+ disk\.raw$/);
  const { stdout: header } = await run('sh', ['-c', `gzip -dc "${out}" | head -c 512 | od -An -c -j 156 -N 1; gzip -dc "${out}" | head -c 512 | od -An -tx1 -j 257 -N 8`]);
  const [typeflag, magic] = header.trim().split('\n').map((line) => line.trim());
  t.is(typeflag, 'S', 'a GNU sparse member');
  t.is(magic, '75 73 74 61 72 20 20 00', 'the oldgnu magic "ustar  \\0" (POSIX ustar would be "ustar\\0" "00")');
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-gce-untar-'));
  await run('tar', ['-xzf', out, '-C', dir]);
  const { stdout: info } = await run('qemu-img', ['info', '--output=json', join(dir, 'disk.raw')]);
  t.like(JSON.parse(info) as object, { format: 'raw', 'virtual-size': 64 * 1024 * 1024 });
  await run('cmp', [raw.path, join(dir, 'disk.raw')]);
  t.is((await makeImageTarball({ raw: raw.path, out })).bytes, tarball.bytes, 'a finished tarball is reused');
});

async function someFile(bytes: number): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'atomlab-gce-up-')), 'image.tar.gz');
  await writeFile(path, randomBytes(bytes));
  return path;
}

function upload(path: string, journalPath: string, onProgress?: (p: UploadProgress) => void) {
  return uploadObject({ http, bucket: 'atomlab-atomlab-test-1', object: `atomlab/${path.split('/').at(-2)}.tar.gz`, path, metadata: { atomlab: 'image' }, journalPath, chunkBytes: 256 * 1024, onProgress });
}

test.serial('a resumable upload sends 256 KiB-multiple chunks and reports bytes and ETA', async (t) => {
  const path = await someFile(900 * 1024);
  const progress: UploadProgress[] = [];
  await upload(path, `${path}.journal`, (p) => progress.push(p));
  t.deepEqual(recorder.objects.get(`atomlab-atomlab-test-1/atomlab/${path.split('/').at(-2)}.tar.gz`), await readFile(path));
  t.deepEqual(progress.map((p) => p.doneBytes), [262144, 524288, 786432, 921600]);
  t.true(progress.every((p) => p.totalBytes === 921600));
  t.is(progress.at(-1)!.etaSeconds, 0);
  await t.throwsAsync(stat(`${path}.journal`), undefined, 'the journal goes once the object is whole');
  t.deepEqual(recorder.violations, []);
});

test.serial('an upload cut mid-way fails clearly, and the next one resumes where Cloud Storage says it stopped', async (t) => {
  const path = await someFile(1100 * 1024);
  let chunks = 0;
  recorder.rules.push({ match: (seen) => seen.operation === 'storage.objects.insert (chunk)' && ++chunks === 3, action: { kind: 'cut' } });
  const error = await t.throwsAsync(upload(path, `${path}.journal`), { instanceOf: AtomlabError });
  t.regex(error.message, /^Cloud Storage connection failed \(PUT \/upload\/storage\/v1\/b\/atomlab-atomlab-test-1\/o\)/);
  t.regex(error.hint ?? '', /resumes/);
  t.true((await stat(`${path}.journal`)).isFile());
  const starts = recorder.count('storage.objects.insert (start)');
  const chunksBefore = recorder.count('storage.objects.insert (chunk)');
  await upload(path, `${path}.journal`);
  t.is(recorder.count('storage.objects.insert (start)'), starts, 'the same session goes on');
  t.is(recorder.count('storage.objects.insert (chunk)') - chunksBefore, 1 + 3, 'one status query, then only the three chunks not held');
  t.deepEqual(recorder.objects.get(`atomlab-atomlab-test-1/atomlab/${path.split('/').at(-2)}.tar.gz`), await readFile(path));
});

test.serial('a session Cloud Storage no longer knows (expired after a week) starts over cleanly', async (t) => {
  const path = await someFile(600 * 1024);
  recorder.rules.push({ match: (seen) => seen.operation === 'storage.objects.insert (chunk)', action: { kind: 'cut' } });
  await t.throwsAsync(upload(path, `${path}.journal`), { instanceOf: AtomlabError });
  recorder.sessions.clear();
  const starts = recorder.count('storage.objects.insert (start)');
  await upload(path, `${path}.journal`);
  t.is(recorder.count('storage.objects.insert (start)') - starts, 1, 'a new session');
  t.deepEqual(recorder.objects.get(`atomlab-atomlab-test-1/atomlab/${path.split('/').at(-2)}.tar.gz`), await readFile(path));
});

test.serial('a rate limit with Retry-After is waited out; one that persists is a clear error', async (t) => {
  const limited = googleError(429, 'The rate of change requests to the bucket is too high', 'RESOURCE_EXHAUSTED', 'rateLimitExceeded', { 'retry-after': '1' });
  recorder.rules.push({ match: (seen) => seen.operation === 'storage.objects.insert (start)', action: { kind: 'answer', status: 429, body: limited.body, headers: limited.headers }, times: 1 });
  const path = await someFile(10 * 1024);
  const before = recorder.seen.length;
  await upload(path, `${path}.journal`);
  const after = recorder.seen.slice(before).map((seen) => seen.operation);
  t.deepEqual(after, ['storage.objects.insert (start)', 'storage.objects.insert (start)', 'storage.objects.insert (chunk)']);
  recorder.rules.push({ match: (seen) => seen.operation === 'storage.objects.insert (start)', action: { kind: 'answer', status: 429, body: { ...limited.body as object }, headers: { 'retry-after': '0' } }, times: 10 });
  const error = await t.throwsAsync(upload(await someFile(1024), '/tmp/atomlab-gce-rate.journal'), { instanceOf: AtomlabError });
  t.is(error.message, 'Google kept rate-limiting the requests (storage.objects.insert (resumable): rateLimitExceeded: The rate of change requests to the bucket is too high)');
});
