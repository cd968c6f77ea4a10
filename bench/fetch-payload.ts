import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { open, rename, stat } from 'node:fs/promises';

const MiB = 1024 * 1024;
/** Per 64 MiB: 8 MiB random (compressed data), 32 MiB text-like (files), 24 MiB zeros (free space). */
const LAYOUT: Array<['random' | 'text' | 'zero', number]> = [['random', 8], ['text', 32], ['zero', 24]];

function wordList(): Buffer[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: 8192 }, (_, index) => {
    const seed = randomBytes(3 + (index % 9));
    return Buffer.from(`${[...seed].map((byte) => letters[byte % 26]).join('')}${index % 13 === 0 ? '\n' : ' '}`);
  });
}

/** 1 MiB of text-like bytes from random word picks. */
function textMiB(words: Buffer[]): Buffer {
  const out = Buffer.allocUnsafe(MiB);
  const picks = randomBytes(MiB / 2);
  let at = 0;
  for (let i = 0; at < MiB; i += 2) {
    at += words[(picks.readUInt16LE(i % (picks.length - 1)) % words.length)]!.copy(out, at);
  }
  return out;
}

async function writeRaw(path: string, sizeMiB: number): Promise<void> {
  const words = wordList();
  const handle = await open(`${path}.tmp`, 'w');
  let position = 0;
  while (position < sizeMiB * MiB) {
    for (const [kind, count] of LAYOUT) {
      for (let i = 0; i < count && position < sizeMiB * MiB; i += 1, position += MiB) {
        if (kind === 'random') await handle.write(randomBytes(MiB), 0, MiB, position);
        if (kind === 'text') await handle.write(textMiB(words), 0, MiB, position);
      }
    }
  }
  await handle.truncate(sizeMiB * MiB);
  await handle.close();
  await rename(`${path}.tmp`, path);
}

/**
 * The benchmark's payload, made once and kept in bench/out: a raw image of `sizeMiB` (random,
 * text-like and zero regions) and its multi-block `.xz` made by `xz -T0`.
 */
export async function ensurePayload(dir: string, sizeMiB: number): Promise<{ raw: string; xz: string }> {
  const raw = `${dir}/image-${sizeMiB}.raw`;
  const xz = `${raw}.xz`;
  if (!(await stat(raw).catch(() => undefined))) {
    process.stderr.write(`generating ${raw} …\n`);
    await writeRaw(raw, sizeMiB);
  }
  if (!(await stat(xz).catch(() => undefined))) {
    process.stderr.write(`compressing with xz -T0 (multi-block) …\n`);
    const result = spawnSync('sh', ['-c', 'xz -T0 -3 -c "$1" > "$1.xz.tmp" && mv "$1.xz.tmp" "$1.xz"', 'sh', raw], { stdio: 'inherit' });
    if (result.status !== 0) throw new Error('xz failed');
  }
  return { raw, xz };
}
