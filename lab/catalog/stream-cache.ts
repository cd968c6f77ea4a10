import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomlabError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { atomlabHome } from '../home/index.js';
import { fetchText } from '../images/index.js';

export interface StreamFetchOptions {
  /** Where documents are kept (default: <atomlab home>/streams). */
  cacheDir?: string;
  /** A cached document younger than this is used without asking the server (default 1 day). */
  maxAgeMs?: number;
  signal?: AbortSignal;
}

export interface StreamDocument {
  document: unknown;
  /** Where it came from this time. */
  from: 'network' | 'cache' | 'stale-cache';
  /** Why the network was not used, for a stale copy. */
  note?: string;
}

const DAY_MS = 24 * 3600 * 1000;

function cacheFile(dir: string, url: string): string {
  return join(dir, `${createHash('sha256').update(url).digest('hex').slice(0, 32)}.json`);
}

async function readCached(file: string): Promise<{ document: unknown; ageMs: number } | undefined> {
  const [text, info] = await Promise.all([readFile(file, 'utf8').catch(() => undefined), stat(file).catch(() => undefined)]);
  if (text === undefined || !info) return undefined;
  try {
    return { document: JSON.parse(text) as unknown, ageMs: Date.now() - info.mtimeMs };
  } catch {
    return undefined; // never written half (atomic rename), but a hand-edited file may be broken: fetch again
  }
}

function parse(url: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch (cause) {
    throw new AtomlabError(`${url} is not a JSON stream document`, { code: 'FAILED', cause, hint: 'check the catalog entry\'s stream URL' });
  }
}

/**
 * A stream metadata document, cached: a copy younger than a day is used as is (Fedora CoreOS
 * streams move every two weeks or so); an older one is refreshed, and kept when the network
 * fails (offline after the first fetch). Only a document that parses as JSON replaces the copy.
 */
export async function fetchStream(url: string, options: StreamFetchOptions = {}): Promise<StreamDocument> {
  const dir = options.cacheDir ?? join(atomlabHome(), 'streams');
  const file = cacheFile(dir, url);
  const cached = await readCached(file);
  if (cached && cached.ageMs < (options.maxAgeMs ?? DAY_MS)) return { document: cached.document, from: 'cache' };
  try {
    const bytes = await fetchText(url, { idleTimeoutMs: 30_000, signal: options.signal });
    const document = parse(url, bytes);
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(file, Buffer.from(bytes));
    return { document, from: 'network' };
  } catch (error) {
    if (!cached || options.signal?.aborted) throw error;
    return { document: cached.document, from: 'stale-cache', note: `${url}: ${(error as Error).message}; using the copy fetched ${Math.round(cached.ageMs / 3_600_000)} h ago` };
  }
}
