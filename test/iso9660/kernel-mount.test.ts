import test from 'ava';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeIso, type IsoTree } from '../../lab/iso9660/index.js';
import { expectedTree } from '../fixtures/iso-check.js';
import { readTree } from '../fixtures/iso-judges.js';
import { bootWithCdrom, findGuestKernel, type GuestKernel } from '../fixtures/kernel-guest.js';

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

const guestKernel = findGuestKernel();
const guestTitle = 'a Linux kernel in a QEMU guest mounts the image: Rock Ridge names, modes and bytes; Joliet names';

interface GuestView {
  dirs: string[];
  files: string[];
  digests: string[];
  joliet: string[];
}

function parseGuest(console: string): GuestView {
  const lines = console.split('\n');
  const pick = (tag: string) => lines.filter((l) => l.startsWith(`${tag} `)).map((l) => l.slice(tag.length + 1)).sort();
  return { dirs: pick('ATOMLAB-DIR'), files: pick('ATOMLAB-FILE'), digests: pick('ATOMLAB-SHA256'), joliet: pick('ATOMLAB-JOLIET') };
}

(typeof guestKernel === 'string' ? test.skip : test)(
  typeof guestKernel === 'string' ? `${guestTitle} [skipped: ${guestKernel}]` : guestTitle,
  async (t) => {
    const kernel = guestKernel as GuestKernel;
    const dir = await mkdtemp(join(tmpdir(), 'atomlab-iso-guest-'));
    const long = `${'ü'.repeat(100)}.yaml`;
    const big = Buffer.alloc(3 * 2048 + 5, 7);
    const tree: IsoTree = {
      'user-data': { kind: 'file', content: '#cloud-config\n' },
      'meta-data': { kind: 'file', content: 'instance-id: iid-1\n', mode: 0o600 },
      empty: { kind: 'file', content: '' },
      'sub dir': { kind: 'dir', entries: { [long]: { kind: 'file', content: big }, deeper: { kind: 'dir', entries: {} } } },
    };
    try {
      await writeIso(join(dir, 'seed.iso'), tree);
      const console = await bootWithCdrom(dir, kernel, join(dir, 'seed.iso'));
      t.true(console.includes('ATOMLAB-MOUNTED'), `the guest could not mount the image:\n${console.slice(-3000)}`);
      const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
      t.deepEqual(parseGuest(console), {
        dirs: ['755 ./sub dir', '755 ./sub dir/deeper'].sort(),
        files: ['644 14 ./user-data', '600 19 ./meta-data', '644 0 ./empty', `644 ${big.length} ./sub dir/${long}`].sort(),
        digests: [
          `${sha('#cloud-config\n')}  ./user-data`,
          `${sha('instance-id: iid-1\n')}  ./meta-data`,
          `${sha('')}  ./empty`,
          `${sha(big)}  ./sub dir/${long}`,
        ].sort(),
        joliet: ['./user-data', './meta-data', './empty', './sub dir', './sub dir/deeper', `./sub dir/${'ü'.repeat(64)}`].sort(),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
