import test from 'ava';
import { EBSClient, GetSnapshotBlockCommand, ListSnapshotBlocksCommand } from '@aws-sdk/client-ebs';
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdtemp, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AtomlabError } from '../../../lab/errors/index.js';
import { Ec2Client } from '../../../providers/ec2/ec2-client.js';
import { ensureAmi, removeUploadedImages, TAG_DIGEST } from '../../../providers/ec2/ami-store.js';
import { blockChecksum, EBS_BLOCK, type UploadProgress } from '../../../providers/ec2/ebs-upload.js';
import { motoSession } from '../../fixtures/clouds/moto-session.js';

const run = promisify(execFile);
const aws = await motoSession(test);
const { missing } = aws;

/** A raw image of `blocks` 512 KiB blocks plus a partial one; every third block has data, the rest are holes. */
async function rawImage(blocks: number): Promise<{ path: string; digest: string; nonZero: Map<number, Buffer> }> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-ebs-'));
  const path = join(dir, 'disk.raw');
  await run('qemu-img', ['create', '-q', '-f', 'raw', path, String(blocks * EBS_BLOCK + 100 * 1024)]);
  const nonZero = new Map<number, Buffer>();
  const file = await open(path, 'r+');
  for (let index = 0; index <= blocks; index += 3) {
    const data = index === blocks ? Buffer.concat([randomBytes(100 * 1024), Buffer.alloc(EBS_BLOCK - 100 * 1024)]) : randomBytes(EBS_BLOCK);
    await file.write(data, 0, index === blocks ? 100 * 1024 : EBS_BLOCK, index * EBS_BLOCK);
    nonZero.set(index, data);
  }
  await file.close();
  const digest = createHash('sha256').update(randomBytes(16)).digest('hex');
  return { path, digest, nonZero };
}

/** Reads the snapshot back through EBS's own read API and compares every block with the image. */
async function snapshotMatches(snapshotId: string, nonZero: Map<number, Buffer>): Promise<boolean> {
  const ebs = new EBSClient({ region: 'us-east-1', endpoint: aws.moto.endpoint, profile: aws.profile });
  const listed = await ebs.send(new ListSnapshotBlocksCommand({ SnapshotId: snapshotId, MaxResults: 1000 }));
  const indexes = (listed.Blocks ?? []).map((block) => block.BlockIndex!).sort((a, b) => a - b);
  if (indexes.join() !== [...nonZero.keys()].sort((a, b) => a - b).join()) return false;
  for (const block of listed.Blocks ?? []) {
    const got = await ebs.send(new GetSnapshotBlockCommand({ SnapshotId: snapshotId, BlockIndex: block.BlockIndex, BlockToken: block.BlockToken }));
    const data = Buffer.from(await got.BlockData!.transformToByteArray());
    if (!data.equals(nonZero.get(block.BlockIndex!)!)) return false;
  }
  return true;
}

function client(): Ec2Client {
  return new Ec2Client({ region: 'us-east-1', profile: aws.profile, endpoint: aws.proxy.endpoint });
}

/**
 * The snapshot uploaded for a digest (by its tag), checked to be the one RegisterImage was asked
 * to boot from: moto records the AMI but ignores the request's BlockDeviceMappings, so the
 * request itself is read from the proxy.
 */
async function snapshotOf(digest: string): Promise<string> {
  const [snapshot] = await client().snapshots({ 'atomlab:digest': digest });
  const register = aws.proxy.seen.filter((seen) => seen.operation === 'RegisterImage').map((seen) => new URLSearchParams(seen.body.toString()));
  const asked = register.map((params) => params.get('BlockDeviceMapping.1.Ebs.SnapshotId'));
  if (!asked.includes(snapshot!.id)) throw new Error(`RegisterImage never named ${snapshot!.id}: ${asked.join()}`);
  return snapshot!.id;
}

test.serial('a raw image goes up once through the EBS direct APIs: non-zero blocks only, sha256 checksums, found again by digest', async (t) => {
  if (missing) return t.pass(missing);
  const image = await rawImage(10);
  const uploadsDir = await mkdtemp(join(tmpdir(), 'atomlab-uploads-'));
  const progress: UploadProgress[] = [];
  const before = aws.proxy.seen.length;
  const ami = await ensureAmi({ client: client(), base: { ...image, format: 'raw' }, region: 'us-east-1', volumeType: 'gp3', uploadsDir, onProgress: (p) => progress.push(p), pollMs: 10 });
  const puts = aws.proxy.seen.slice(before).filter((seen) => /\/blocks\/\d+$/.test(seen.path));
  t.is(puts.length, image.nonZero.size, 'one PutSnapshotBlock per non-zero block, holes skipped');
  for (const put of puts) {
    const index = Number(/\/blocks\/(\d+)$/.exec(put.path)![1]);
    t.is(put.body.length, EBS_BLOCK);
    t.true(put.body.equals(image.nonZero.get(index)!));
  }
  t.true(await snapshotMatches(await snapshotOf(image.digest), image.nonZero));
  const last = progress.at(-1)!;
  t.is(last.doneBytes, last.totalBytes);
  t.is(last.sentBytes, image.nonZero.size * EBS_BLOCK);
  t.is(last.etaSeconds, 0);
  const [described] = await client().images({ ids: [ami] });
  t.is(described!.Tags!.find((tag) => tag.Key === TAG_DIGEST)?.Value, image.digest);
  const starts = aws.proxy.count('POST /snapshots');
  t.is(await ensureAmi({ client: client(), base: { ...image, format: 'raw' }, region: 'us-east-1', volumeType: 'gp3', uploadsDir, pollMs: 10 }), ami);
  t.is(aws.proxy.count('POST /snapshots'), starts, 'the second lab reuses the AMI');
});

test.serial('checksums are base64 sha256 of the block, as sha256sum computes it', async (t) => {
  const block = randomBytes(EBS_BLOCK);
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-sum-'));
  const file = await open(join(dir, 'block'), 'w');
  await file.write(block);
  await file.close();
  const { stdout } = await run('sha256sum', [join(dir, 'block')]);
  t.is(Buffer.from(blockChecksum(block), 'base64').toString('hex'), stdout.split(' ')[0] ?? '');
});

test.serial('an upload cut mid-way fails clearly and the next run resumes at its last checkpoint', async (t) => {
  if (missing) return t.pass(missing);
  const image = await rawImage(150);
  const uploadsDir = await mkdtemp(join(tmpdir(), 'atomlab-uploads-'));
  const request = { client: client(), base: { ...image, format: 'raw' }, region: 'us-east-1', volumeType: 'gp3', uploadsDir, pollMs: 10 };
  aws.proxy.rules.push({ match: (seen) => /\/blocks\/(\d+)$/.test(seen.path) && Number(/(\d+)$/.exec(seen.path)![1]) >= 100, action: { kind: 'cut' } });
  const error = await t.throwsAsync(ensureAmi(request), { instanceOf: AtomlabError });
  t.regex(error.message, /PutSnapshotBlock/);
  t.is((error.context as { snapshotId?: string }).snapshotId !== undefined, true);
  await access(join(uploadsDir, `ec2-us-east-1-${image.digest}.json`));
  aws.proxy.rules.length = 0;
  const before = aws.proxy.seen.length;
  t.regex(await ensureAmi(request), /^ami-/);
  const resumed = aws.proxy.seen.slice(before);
  t.is(resumed.filter((seen) => seen.path === '/snapshots').length, 0, 'no new snapshot: the pending one is resumed');
  const indexes = resumed.filter((seen) => /\/blocks\/\d+$/.test(seen.path)).map((seen) => Number(/(\d+)$/.exec(seen.path)![1]));
  t.true(indexes.every((index) => index >= 64), 'blocks before the checkpoint are not sent again');
  t.true(await snapshotMatches(await snapshotOf(image.digest), image.nonZero));
  await t.throwsAsync(access(join(uploadsDir, `ec2-us-east-1-${image.digest}.json`)), undefined, 'the journal goes once the snapshot is complete');
});

test.serial('down --images removes every uploaded AMI and its snapshot', async (t) => {
  if (missing) return t.pass(missing);
  const removed = await removeUploadedImages(client());
  t.true(removed.some((resource) => resource.kind === 'image' && resource.id.startsWith('ami-')));
  t.true(removed.some((resource) => resource.kind === 'snapshot' && resource.id.startsWith('snap-')));
  t.deepEqual(await client().images({ tags: { atomlab: 'image' } }), []);
  t.deepEqual(await client().snapshots({ atomlab: 'image' }), []);
});
