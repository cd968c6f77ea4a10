import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeIso, type IsoTree } from '../../lab/iso9660/index.js';
import { expectedTree } from '../fixtures/iso-check.js';
import { readTree } from '../fixtures/iso-judges.js';

const run = promisify(execFile);

/** Why a loop mount cannot run here, or undefined when it can. */
function mountUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  const filesystems = readFileSync('/proc/filesystems', 'utf8');
  if (!/\siso9660$/m.test(filesystems)) return 'this kernel has no iso9660 driver (not in /proc/filesystems)';
  if (!existsSync('/dev/loop-control')) return 'no loop devices (/dev/loop-control is missing)';
  return undefined;
}

const reason = mountUnavailable();
const title = 'the Linux kernel mounts the image (loop, ro) and reads the Rock Ridge names and bytes';

(reason ? test.skip : test)(reason ? `${title} [skipped: ${reason}]` : title, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-iso-mount-'));
  const mnt = join(dir, 'mnt');
  await mkdir(mnt);
  const tree: IsoTree = {
    'user-data': { kind: 'file', content: '#cloud-config\n' },
    'meta-data': { kind: 'file', content: 'instance-id: iid-1\n' },
    sub: { kind: 'dir', entries: { ['ü'.repeat(100)]: { kind: 'file', content: 'x'.repeat(5000) } } },
  };
  await writeIso(join(dir, 'seed.iso'), tree);
  await run('mount', ['-o', 'loop,ro', join(dir, 'seed.iso'), mnt]);
  try {
    t.deepEqual([...(await readTree(mnt))].sort(), [...(await expectedTree(tree))].sort());
  } finally {
    await run('umount', [mnt]);
    await rm(dir, { recursive: true, force: true });
  }
});
