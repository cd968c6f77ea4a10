/**
 * Seed ISO benchmark: atomlab's in-process writer against cloud-localds, same seed, same run,
 * same directory. Prints per-ISO medians and the ratio (target: atomlab >= 20x faster).
 * Run: npm run bench:cidata [-- ITERATIONS]
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { renderSeed, writeCidata } from '../lab/cidata/index.js';
import { requireTool } from '../lab/host/index.js';

const run = promisify(execFile);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timeEach(iterations: number, once: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await once(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

/** A seed like the one measured in shared/research/performance.md (~550 B user-data). */
function sampleSeed(): { userData: string; metaData: string } {
  return renderSeed({
    hostname: 'atomichost',
    instanceId: 'iid-bench-0001',
    user: 'fedora',
    password: 'atomic',
    authorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBench0000 atomlab@bench'],
    cloudConfig: { packages: ['docker', 'git'], runcmd: [['systemctl', 'enable', '--now', 'docker']] },
  });
}

interface Round {
  dir: string;
  ours: number;
  theirs: number;
  oursBytes: number;
  theirsBytes: number;
}

/** Both tools, same seed, same directory, alternating so that load hits both alike. */
async function round(parent: string, iterations: number, cloudLocalds: string): Promise<Round> {
  const dir = await mkdtemp(join(parent, 'atomlab-bench-cidata-'));
  try {
    const seed = sampleSeed();
    await writeFile(join(dir, 'user-data'), seed.userData);
    await writeFile(join(dir, 'meta-data'), seed.metaData);
    await writeCidata(join(dir, 'warm.iso'), seed); // load modules, warm the JIT
    const peer = (i: number) =>
      run(cloudLocalds, [join(dir, `cloud-localds-${i % 8}.iso`), join(dir, 'user-data'), join(dir, 'meta-data')]);
    const ours: number[] = [];
    const theirs: number[] = [];
    const perPeerRun = Math.max(1, Math.round(iterations / 20));
    for (let i = 0; i < 20; i += 1) {
      theirs.push(...(await timeEach(1, () => peer(i))));
      ours.push(...(await timeEach(perPeerRun, (j) => writeCidata(join(dir, `atomlab-${j % 8}.iso`), seed))));
    }
    const size = async (name: string) => (await stat(join(dir, name))).size;
    return { dir: parent, ours: median(ours), theirs: median(theirs), oursBytes: await size('atomlab-0.iso'), theirsBytes: await size('cloud-localds-0.iso') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function report(r: Round, iterations: number): void {
  console.log(`in ${r.dir}:`);
  console.log(`  atomlab writeCidata, in-process (${iterations} ISOs): ${r.ours.toFixed(3)} ms/ISO median, ${r.oursBytes} bytes`);
  console.log(`  cloud-localds (20 ISOs): ${r.theirs.toFixed(3)} ms/ISO median, ${r.theirsBytes} bytes`);
  console.log(`  ratio: atomlab is ${(r.theirs / r.ours).toFixed(1)}x faster per ISO (target >= 20x)`);
}

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 200);
  const cloudLocalds = await requireTool('cloud-localds');
  const seed = sampleSeed();
  console.log(`seed: user-data ${seed.userData.length} B, meta-data ${seed.metaData.length} B`);
  console.log('atomlab fsyncs the ISO and its directory (lab/files withAtomicOutput); cloud-localds does not.');
  const dirs = [tmpdir(), ...(existsSync('/dev/shm') ? ['/dev/shm'] : [])];
  for (const dir of dirs) report(await round(dir, iterations, cloudLocalds), iterations);
}

await main();
