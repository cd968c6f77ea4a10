import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AtomlabError } from '../errors/index.js';
import { pidAlive } from './processes.js';

export interface AtomicOutputOptions {
  /** File mode of the result (default 0o644; secrets use 0o600). */
  mode?: number;
  /**
   * fsync the file and its directory before and after the rename (default true). Without it the
   * result still appears whole or not at all to other processes, but may not survive a power
   * loss: fine for files that are cheap to make again, such as seed ISOs.
   */
  durable?: boolean;
}

/** Fails with a clear message when the directory a file would go into is missing. */
export async function assertParentDirectory(path: string): Promise<void> {
  const dir = dirname(path);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new AtomlabError(`cannot write ${path}: directory ${dir} does not exist`, {
      code: 'BAD_INPUT',
      hint: `create it first (mkdir -p ${dir}) or choose another output path`,
      context: { file: path },
    });
  }
}

/** A temporary name beside the target, so the final rename stays on one filesystem. */
export function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

const TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes the temporary siblings in `dir` that a process killed mid-write left (its pid in the
 * name, the process gone); those of live writers stay. Returns the names removed.
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = Number(TEMPORARY.exec(name)?.[1] ?? 0);
    if (pid === 0 || (await pidAlive(pid))) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

async function fsyncPath(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Produces `path` all at once or not at all: `produce` writes a temporary sibling, which is
 * fsynced and renamed over `path`; on any failure the temporary file is removed.
 */
export async function withAtomicOutput<T>(
  path: string,
  produce: (temporaryPath: string) => Promise<T>,
  options: AtomicOutputOptions = {},
): Promise<T> {
  await assertParentDirectory(path);
  const temporary = temporarySibling(path);
  try {
    // create the file first with the final mode, so a secret is never readable by others
    const handle = await open(temporary, 'wx', options.mode ?? 0o644);
    await handle.close();
    const result = await produce(temporary);
    const durable = options.durable ?? true;
    if (durable) await fsyncPath(temporary, 'r+');
    await rename(temporary, path);
    if (durable) await fsyncPath(dirname(path), 'r');
    return result;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes a whole file atomically. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicOutputOptions = {},
): Promise<void> {
  await withAtomicOutput(
    path,
    async (temporary) => {
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
    },
    options,
  );
}
