import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildRecipe } from '../../lab/recipes/index.js';
import { startImageServer } from '../../test/fixtures/image-server.js';

const run = promisify(execFile);

/**
 * A slow local mirror on 127.0.0.1 serving the tiny guest xz-compressed (64 KiB every 20 ms,
 * with an ETag and byte ranges, so a pull downloads, resumes, decompresses and verifies for a
 * few seconds: long enough to be killed anywhere in it).
 */
export async function startMirror(workDir: string): Promise<{ url: string; sha256: string; close(): Promise<void> }> {
  const base = (await buildRecipe('tiny')).path;
  const xz = join(workDir, 'tiny.qcow2.xz');
  await run('sh', ['-c', 'xz -T0 -3 -c -- "$1" > "$2"', 'sh', base, xz]);
  const body = await readFile(xz);
  const server = await startImageServer({ '/tiny.qcow2.xz': { body, throttleMs: 20 } });
  return { url: server.url('/tiny.qcow2.xz'), sha256: createHash('sha256').update(body).digest('hex'), close: server.close };
}
