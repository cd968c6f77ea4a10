/**
 * `atomlab up` to a verified login on the tiny guest, against the floor: the same image booted by
 * a bare qemu-system-x86_64 command line with an SSH poll loop, in the same run, alternating.
 * Prints medians and the overhead ratio (target <= 1.10).
 * Run: npm run bench:up [-- ROUNDS]
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { generateKeyPair, newInstanceId, renderSeed, writeCidata } from '../lab/cidata/index.js';
import { buildRecipe } from '../lab/recipes/index.js';
import { freePort } from '../lab/net/index.js';
import { sshExec } from '../lab/ssh/index.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/atomlab.js', import.meta.url).pathname;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The floor: qemu by hand, then poll SSH until the key logs in. */
async function bareBoot(base: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-bench-bare-'));
  const user = generateKeyPair('bench');
  const host = generateKeyPair('root@bare');
  const seed = renderSeed({ hostname: 'bare', instanceId: newInstanceId(), user: 'fedora', authorizedKeys: [user.publicKey], hostKey: host });
  await writeCidata(join(dir, 'seed.iso'), seed);
  await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', join(dir, 'disk.qcow2')]);
  const port = await freePort();
  const start = performance.now();
  const qemu = spawn('qemu-system-x86_64', ['-machine', 'pc,accel=tcg', '-cpu', 'max', '-m', '256', '-nodefaults', '-display', 'none',
    '-drive', `file=${join(dir, 'disk.qcow2')},format=qcow2,if=virtio`, '-drive', `file=${join(dir, 'seed.iso')},format=raw,media=cdrom,readonly=on`,
    '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-pci,netdev=n0'], { stdio: 'ignore' });
  try {
    for (;;) {
      const ok = await sshExec({ host: '127.0.0.1', port, user: 'fedora', privateKey: user.privateKey, hostKey: host.publicKey, timeoutMs: 5000 }, 'true').then(() => true, () => false);
      if (ok) return performance.now() - start;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    qemu.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

/** atomlab: up to a verified login (key, host key, cloud-init, hostname), then down. */
async function atomlabUp(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-bench-up-'));
  const file = join(dir, 'atomlab.yaml');
  await writeFile(file, 'name: bench\nvms:\n  - name: vm\n    image: tiny\n    memory: 256MiB\n');
  const start = performance.now();
  await run(process.execPath, [BIN, 'up', file], { maxBuffer: 1 << 24 });
  const elapsed = performance.now() - start;
  await run(process.execPath, [BIN, 'down', file]);
  await rm(dir, { recursive: true, force: true });
  return elapsed;
}

const rounds = Number(process.argv[2] ?? 3);
const base = (await buildRecipe('tiny')).path;
const bare: number[] = [];
const atomlab: number[] = [];
for (let i = 0; i < rounds; i++) {
  // alternate the order so machine load drifts hit both alike
  if (i % 2 === 0) {
    bare.push(await bareBoot(base));
    atomlab.push(await atomlabUp());
  } else {
    atomlab.push(await atomlabUp());
    bare.push(await bareBoot(base));
  }
  console.log(`round ${i + 1}: bare qemu + ssh poll ${(bare.at(-1)! / 1000).toFixed(1)} s, atomlab up ${(atomlab.at(-1)! / 1000).toFixed(1)} s`);
}
const ratio = median(atomlab) / median(bare);
console.log(`median: bare ${(median(bare) / 1000).toFixed(1)} s, atomlab up ${(median(atomlab) / 1000).toFixed(1)} s, overhead ratio ${ratio.toFixed(2)} (target <= 1.10)`);
