import { execFile } from 'node:child_process';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';
import { AtomlabError } from '../../lab/errors/index.js';

const run = promisify(execFile);

export interface TarballRequest {
  /** The cached raw image. */
  raw: string;
  /** Where the tar.gz goes; written beside as `.part` and renamed once whole. */
  out: string;
  signal?: AbortSignal;
}

/**
 * The archive GCE's images.insert reads (rawDisk.source): one member named `disk.raw`, GNU tar
 * `--format=oldgnu`, sparse-aware (`-S`: holes are not stored), gzip-compressed, exactly as
 * GCE's "Import a boot disk image" documents (`tar --format=oldgnu -Sczf … disk.raw`). Made by
 * GNU tar itself (Debian's `tar`, essential on every Debian system). A finished file is reused.
 */
export async function makeImageTarball(request: TarballRequest): Promise<{ path: string; bytes: number }> {
  const done = await stat(request.out).catch(() => undefined);
  if (done) return { path: request.out, bytes: done.size };
  const part = `${request.out}.part`;
  await rm(part, { force: true });
  const args = ['--format=oldgnu', '-S', '-czf', part, '-C', dirname(request.raw), '--transform=s,.*,disk.raw,', basename(request.raw)];
  try {
    await run('tar', args, { signal: request.signal, maxBuffer: 1024 * 1024 });
  } catch (error) {
    await rm(part, { force: true });
    throw tarError(error, args);
  }
  await rename(part, request.out);
  return { path: request.out, bytes: (await stat(request.out)).size };
}

function tarError(error: unknown, args: string[]): AtomlabError {
  const shape = error as { code?: unknown; stderr?: string; name?: string };
  if (shape.name === 'AbortError') return new AtomlabError('packing the image for GCE was interrupted', { code: 'INTERRUPTED', cause: error, context: { provider: 'gce' } });
  if (shape.code === 'ENOENT') return new AtomlabError('GNU tar is not installed', { code: 'MISSING_TOOL', cause: error, context: { provider: 'gce', command: 'tar' }, hint: 'apt-get install tar' });
  return new AtomlabError(`tar could not pack the image for GCE: ${(shape.stderr ?? '').trim() || String(error)}`, { code: 'IO', cause: error, context: { provider: 'gce', command: `tar ${args.join(' ')}`, stderrTail: shape.stderr?.slice(-2000) }, hint: 'is there room in ~/.cache/atomlab/uploads?' });
}
