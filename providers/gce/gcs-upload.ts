import { open, readFile, rm, stat } from 'node:fs/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { writeFileAtomic } from '../../lab/files/index.js';
import type { GoogleHttp } from './google-http.js';

/** Chunks of a resumable upload must be multiples of 256 KiB (Cloud Storage's rule); 8 MiB each. */
export const CHUNK = 32 * 256 * 1024;

export interface UploadProgress {
  doneBytes: number;
  totalBytes: number;
  /** Seconds left at the rate so far; undefined until there is a rate. */
  etaSeconds: number | undefined;
}

export interface ObjectUpload {
  http: GoogleHttp;
  bucket: string;
  object: string;
  /** The file uploaded (the image tarball). */
  path: string;
  /** Object metadata (atomlab's labels): Cloud Storage keeps them with the object. */
  metadata: Record<string, string>;
  /** Where the session URI is journalled (0600: it lets anyone holding it upload), so a cut upload resumes. */
  journalPath: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  /** Bytes per PUT (tests: smaller); a multiple of 256 KiB. */
  chunkBytes?: number;
  now?: () => number;
}

interface Journal {
  session: string;
  object: string;
  bytes: number;
}

async function readJournal(upload: ObjectUpload, bytes: number): Promise<Journal | undefined> {
  const text = await readFile(upload.journalPath, 'utf8').catch(() => undefined);
  const journal = text ? (JSON.parse(text) as Journal) : undefined;
  return journal && journal.object === upload.object && journal.bytes === bytes ? journal : undefined;
}

/** Starts a resumable session (JSON API `uploadType=resumable`) and journals its URI. */
async function startSession(upload: ObjectUpload, bytes: number): Promise<Journal> {
  const url = `${upload.http.storageBase}/upload/storage/v1/b/${encodeURIComponent(upload.bucket)}/o?uploadType=resumable&name=${encodeURIComponent(upload.object)}`;
  const response = await upload.http.request({
    operation: 'storage.objects.insert (resumable)',
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=UTF-8', 'x-upload-content-type': 'application/gzip', 'x-upload-content-length': String(bytes) },
    body: JSON.stringify({ name: upload.object, contentType: 'application/gzip', metadata: upload.metadata }),
    signal: upload.signal,
  });
  const session = response.headers.get('location');
  if (!session) throw new AtomlabError('Cloud Storage started an upload without a session URI', { context: { provider: 'gce', bucket: upload.bucket } });
  const journal = { session, object: upload.object, bytes };
  await writeFileAtomic(upload.journalPath, JSON.stringify(journal), { mode: 0o600 });
  return journal;
}

/**
 * How much of the session Cloud Storage has: `Content-Range: bytes *\/N` answers 308 with the
 * Range it holds, 200/201 when the object is whole, 404/410 when the session is gone (expired
 * after a week, or cancelled): then undefined and the upload starts over.
 */
async function committedBytes(upload: ObjectUpload, journal: Journal): Promise<number | 'complete' | undefined> {
  const response = await upload.http.raw({ url: journal.session, method: 'PUT', headers: { 'content-range': `bytes */${journal.bytes}`, 'content-length': '0' }, signal: upload.signal });
  if (response.status === 200 || response.status === 201) return 'complete';
  if (response.status === 404 || response.status === 410) return undefined;
  if (response.status !== 308) throw await upload.http.failure('storage upload status', response);
  const range = /bytes=0-(\d+)/.exec(response.headers.get('range') ?? '');
  return range ? Number(range[1]) + 1 : 0;
}

/**
 * Uploads a file into a Cloud Storage object with the resumable upload protocol, in chunks. The
 * session is journalled: after a cut connection or a crash the next call asks Cloud Storage how
 * much it holds and sends only the rest; a session Cloud Storage no longer knows starts over.
 */
export async function uploadObject(upload: ObjectUpload): Promise<void> {
  const bytes = (await stat(upload.path)).size;
  let journal = await readJournal(upload, bytes);
  let offset = journal ? await committedBytes(upload, journal) : undefined;
  if (offset === 'complete') return void (await rm(upload.journalPath, { force: true }));
  if (!journal || offset === undefined) {
    journal = await startSession(upload, bytes);
    offset = 0;
  }
  await sendChunks(upload, journal, offset);
  await rm(upload.journalPath, { force: true });
}

async function sendChunks(upload: ObjectUpload, journal: Journal, from: number): Promise<void> {
  const chunk = upload.chunkBytes ?? CHUNK;
  const file = await open(upload.path, 'r');
  const meter = progressMeter(upload, journal.bytes, from);
  try {
    let offset = from;
    while (offset < journal.bytes || journal.bytes === 0) {
      const length = Math.min(chunk, journal.bytes - offset);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, offset);
      offset = await putChunk(upload, journal, offset, buffer);
      meter(offset);
      if (journal.bytes === 0) break;
    }
  } finally {
    await file.close();
  }
}

/** One PUT of a chunk; returns the offset Cloud Storage confirmed (it may keep less than was sent). */
async function putChunk(upload: ObjectUpload, journal: Journal, offset: number, buffer: Buffer): Promise<number> {
  const last = offset + buffer.length - 1;
  const range = buffer.length === 0 ? `bytes */${journal.bytes}` : `bytes ${offset}-${last}/${journal.bytes}`;
  const response = await upload.http.raw({ url: journal.session, method: 'PUT', headers: { 'content-range': range, 'content-length': String(buffer.length) }, body: buffer, signal: upload.signal });
  if (response.status === 200 || response.status === 201) return journal.bytes;
  if (response.status !== 308) throw await upload.http.failure('storage.objects.insert (chunk)', response);
  const kept = /bytes=0-(\d+)/.exec(response.headers.get('range') ?? '');
  return kept ? Number(kept[1]) + 1 : 0;
}

function progressMeter(upload: ObjectUpload, total: number, already: number): (offset: number) => void {
  const now = upload.now ?? Date.now;
  const started = now();
  return (offset) => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? (offset - already) / elapsed : 0;
    upload.onProgress?.({ doneBytes: offset, totalBytes: total, etaSeconds: rate > 0 ? (total - offset) / rate : undefined });
  };
}
