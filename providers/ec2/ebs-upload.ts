import { createHash } from 'node:crypto';
import { open, readFile, rm, stat, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AtomlabError } from '../../lab/errors/index.js';
import { writeFileAtomic } from '../../lab/files/index.js';
import type { Ec2Client, Tags } from './ec2-client.js';

/** EBS direct APIs write snapshots in blocks of 512 KiB. */
export const EBS_BLOCK = 512 * 1024;
const GIB = 1024 ** 3;
/** Blocks between journal checkpoints (32 MiB): a resumed upload repeats at most this much. */
const CHECKPOINT_BLOCKS = 64;

export interface UploadProgress {
  /** Bytes of the image read so far (zero blocks count: they are done by skipping them). */
  doneBytes: number;
  totalBytes: number;
  /** Bytes actually sent (non-zero blocks). */
  sentBytes: number;
  /** Seconds left at the rate so far; undefined until there is a rate. */
  etaSeconds: number | undefined;
}

export interface EbsUploadRequest {
  client: Ec2Client;
  /** The raw disk image. */
  path: string;
  tags: Tags;
  description: string;
  /** Where the upload's progress is journalled, so a failed upload resumes (a path in atomlab's home). */
  journalPath: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  /** PutSnapshotBlock calls in flight at once. */
  concurrency?: number;
  /** Injectable clock (tests): milliseconds. */
  now?: () => number;
}

interface Journal {
  snapshotId: string;
  /** Every block below this index is in the snapshot. */
  nextBlock: number;
  /** Non-zero blocks below nextBlock (CompleteSnapshot's ChangedBlocksCount). */
  changedBlocks: number;
}

/** sha256 of a block, base64, as PutSnapshotBlock's Checksum wants it. */
export function blockChecksum(block: Buffer): string {
  return createHash('sha256').update(block).digest('base64');
}

/** EBS refuses writes to a snapshot that expired, completed or failed: a resume starts over. */
function refusesWrites(error: unknown): boolean {
  const code = (error as { context?: { awsCode?: string } }).context?.awsCode ?? '';
  return code === 'ValidationException' || code === 'ResourceNotFoundException' || code === 'ConflictException';
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < block.length; i += 8) if (block.readBigUInt64LE(i) !== 0n) return false;
  return true;
}

async function readJournal(path: string): Promise<Journal | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as Journal) : undefined;
}

async function writeJournal(path: string, journal: Journal): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, JSON.stringify(journal));
}

/**
 * A journalled snapshot is resumed unless EC2 reports it failed or gone (moto reports snapshots
 * still open for writing as `completed`, AWS as `pending`: both are tried). A failed one is
 * deleted and the upload starts again from block 0.
 */
async function startOrResume(request: EbsUploadRequest, volumeGiB: number): Promise<Journal> {
  const journal = await readJournal(request.journalPath);
  if (journal) {
    const state = await request.client.snapshotState(journal.snapshotId);
    if (state === 'pending' || state === 'completed') return journal;
    if (state !== undefined) await request.client.deleteSnapshot(journal.snapshotId);
  }
  return startFresh(request, volumeGiB);
}

async function startFresh(request: EbsUploadRequest, volumeGiB: number): Promise<Journal> {
  const { client, journalPath } = request;
  const snapshotId = await client.startSnapshot({ volumeGiB, tags: request.tags, description: request.description, timeoutMinutes: 4320 });
  const fresh = { snapshotId, nextBlock: 0, changedBlocks: 0 };
  await writeJournal(journalPath, fresh);
  return fresh;
}

/**
 * Writes a raw image into a new EBS snapshot with the EBS direct APIs: one PutSnapshotBlock per
 * non-zero 512 KiB block (sha256 checksum; all-zero blocks are skipped: a new snapshot reads as
 * zeros), then CompleteSnapshot. A failure leaves a journal; the next call resumes from its last
 * checkpoint. Returns the snapshot id once CompleteSnapshot accepted it.
 */
export async function uploadToEbs(request: EbsUploadRequest): Promise<string> {
  const totalBytes = (await stat(request.path)).size;
  const volumeGiB = Math.max(1, Math.ceil(totalBytes / GIB));
  let journal = await startOrResume(request, volumeGiB);
  let changed: number;
  try {
    changed = await putBlocks(request, journal, totalBytes);
  } catch (error) {
    if (journal.nextBlock === 0 || !refusesWrites(error)) throw error;
    await request.client.deleteSnapshot(journal.snapshotId).catch(() => undefined);
    journal = await startFresh(request, volumeGiB);
    changed = await putBlocks(request, journal, totalBytes);
  }
  const status = await request.client.completeSnapshot(journal.snapshotId, changed);
  if (status === 'error') throw new AtomlabError(`EBS could not complete snapshot ${journal.snapshotId}`, { context: { provider: 'ec2' }, hint: 'run up again: the upload starts over' });
  await rm(request.journalPath, { force: true });
  return journal.snapshotId;
}

async function putBlocks(request: EbsUploadRequest, journal: Journal, totalBytes: number): Promise<number> {
  const { client, signal } = request;
  const blocks = Math.ceil(totalBytes / EBS_BLOCK);
  const meter = progressMeter(request, totalBytes, journal.nextBlock * EBS_BLOCK);
  const file = await open(request.path, 'r');
  let changed = journal.changedBlocks;
  try {
    for (let start = journal.nextBlock; start < blocks; start += CHECKPOINT_BLOCKS) {
      const end = Math.min(blocks, start + CHECKPOINT_BLOCKS);
      changed += await putRange({ file, client, snapshotId: journal.snapshotId, start, end, concurrency: request.concurrency ?? 4, meter, signal });
      await writeJournal(request.journalPath, { snapshotId: journal.snapshotId, nextBlock: end, changedBlocks: changed });
    }
  } finally {
    await file.close();
  }
  return changed;
}

interface RangeRequest {
  file: Awaited<ReturnType<typeof open>>;
  client: Ec2Client;
  snapshotId: string;
  start: number;
  end: number;
  concurrency: number;
  meter: Meter;
  signal: AbortSignal | undefined;
}

/** Puts the non-zero blocks of [start, end) with a bounded number in flight; returns how many. */
async function putRange(range: RangeRequest): Promise<number> {
  const inFlight = new Set<Promise<void>>();
  let changed = 0;
  for (let index = range.start; index < range.end; index++) {
    range.signal?.throwIfAborted();
    const block = Buffer.alloc(EBS_BLOCK);
    const { bytesRead } = await range.file.read(block, 0, EBS_BLOCK, index * EBS_BLOCK);
    if (isZero(block)) {
      range.meter.add(bytesRead, 0);
      continue;
    }
    changed++;
    const put = range.client.putBlock({ snapshotId: range.snapshotId, index, data: block, checksum: blockChecksum(block) }, range.signal).then(() => range.meter.add(bytesRead, EBS_BLOCK));
    inFlight.add(put);
    void put.finally(() => inFlight.delete(put)).catch(() => undefined);
    if (inFlight.size >= range.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return changed;
}

interface Meter {
  add(doneBytes: number, sentBytes: number): void;
}

function progressMeter(request: EbsUploadRequest, totalBytes: number, alreadyDone: number): Meter {
  const now = request.now ?? Date.now;
  const started = now();
  let done = alreadyDone;
  let sent = 0;
  return {
    add(doneBytes, sentBytes) {
      done += doneBytes;
      sent += sentBytes;
      const elapsed = (now() - started) / 1000;
      const rate = elapsed > 0 ? (done - alreadyDone) / elapsed : 0;
      request.onProgress?.({ doneBytes: done, totalBytes, sentBytes: sent, etaSeconds: rate > 0 ? (totalBytes - done) / rate : undefined });
    },
  };
}
