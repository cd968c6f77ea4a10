import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AtomlabError } from '../errors/index.js';
import { withAtomicOutput } from '../files/index.js';
import { requireTool } from '../host/index.js';
import { writeIso, type IsoTree } from '../iso9660/index.js';
import type { DriveFiles } from './drive-files.js';

const run = promisify(execFile);

export interface WriteDriveOptions {
  /** The image to write (mode 0600, replaced atomically). */
  path: string;
  files: DriveFiles;
  /** Filesystem label (`cidata`, `config-2`). */
  label: string;
}

/** Directories every file needs, parents first (`openstack`, `openstack/latest`). */
function directories(files: DriveFiles): string[] {
  const dirs = new Set<string>();
  for (const path of Object.keys(files)) {
    const parts = path.split('/').slice(0, -1);
    parts.forEach((_, i) => dirs.add(parts.slice(0, i + 1).join('/')));
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

function isoTree(files: DriveFiles): IsoTree {
  const root: IsoTree = {};
  for (const [path, content] of Object.entries(files)) {
    const parts = path.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      const node = (dir[part] ??= { kind: 'dir', entries: {} });
      if (node.kind !== 'dir') throw new AtomlabError(`seed path ${path} runs through a file`, { code: 'FAILED' });
      dir = node.entries;
    }
    dir[parts.at(-1)!] = { kind: 'file', content };
  }
  return root;
}

/** An ISO 9660 (Rock Ridge + Joliet) seed drive, written in-process. */
export async function writeIsoDrive(options: WriteDriveOptions): Promise<void> {
  // a seed is cheap to make again (and made anew for every VM), so no fsync, like cloud-localds
  await writeIso(options.path, isoTree(options.files), { volumeId: options.label, mode: 0o600, durable: false });
}

/** Room for the files, their clusters and the FAT: at least 1 MiB, in 64 KiB steps. */
function vfatBytes(files: DriveFiles): number {
  const content = Object.values(files).reduce((sum, data) => sum + Buffer.byteLength(data), 0);
  const wanted = content * 1.1 + (Object.keys(files).length + 8) * 8192 + 256 * 1024;
  return Math.max(1 << 20, Math.ceil(wanted / 65536) * 65536);
}

/** The same files give the same volume serial (mkfs.fat would pick a random one). */
function volumeSerial(files: DriveFiles): string {
  const hash = createHash('sha256');
  for (const [path, content] of Object.entries(files)) hash.update(`${path}\0${Buffer.byteLength(content)}\0`).update(content);
  return hash.digest('hex').slice(0, 8);
}

async function tool(file: string, args: string[]): Promise<void> {
  try {
    await run(file, args, { env: { ...process.env, MTOOLS_SKIP_CHECK: '1', MTOOLSRC: '/dev/null' } });
  } catch (cause) {
    const stderr = String((cause as { stderr?: string }).stderr ?? '').trim();
    throw new AtomlabError(`${file} failed: ${stderr || String(cause)}`, { code: 'FAILED', cause, context: { command: `${file} ${args.join(' ')}`, stderrTail: stderr } });
  }
}

/** The files, 0600 in a private directory, for mcopy to read. */
async function stage(files: DriveFiles, dir: string): Promise<[string, string][]> {
  const staged: [string, string][] = [];
  for (const [i, [path, content]] of Object.entries(files).entries()) {
    const local = join(dir, String(i));
    await writeFile(local, content, { mode: 0o600 });
    staged.push([local, `::${path}`]);
  }
  return staged;
}

/**
 * A FAT seed drive made by dosfstools and mtools (mkfs.fat, mmd, mcopy): a volume labelled
 * `label` holding the files, with a volume serial derived from their content.
 */
export async function writeVfatDrive(options: WriteDriveOptions): Promise<void> {
  const [mkfs, mmd, mcopy] = [await requireTool('mkfs.fat'), await requireTool('mmd'), await requireTool('mcopy')];
  const serial = volumeSerial(options.files);
  const staging = await mkdtemp(join(tmpdir(), 'atomlab-seed-'));
  try {
    const staged = await stage(options.files, staging);
    await withAtomicOutput(options.path, async (image) => {
      await truncate(image, vfatBytes(options.files));
      await tool(mkfs, ['-n', options.label, '-i', serial, image]);
      const dirs = directories(options.files);
      if (dirs.length > 0) await tool(mmd, ['-i', image, ...dirs.map((dir) => `::${dir}`)]);
      for (const [local, target] of staged) await tool(mcopy, ['-i', image, local, target]);
    }, { mode: 0o600, durable: false });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
