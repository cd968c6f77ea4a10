/**
 * Fetch benchmark: atomlab's pull (download, verify the pinned sha256, multi-threaded xz, sha256 of
 * the stored image, fsync'd cache entry) against the peer pipeline
 * `curl -s URL | tee >(sha256sum) | xz -dc > out`, and the same with `xz -T0 -dc`, in one run on
 * one local server. Prints medians, both throughput ratios and atomlab's peak RSS.
 *   npm run bench:fetch            (BENCH_SIZE_MIB=1024, BENCH_RUNS=3 by default)
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePayload } from './fetch-payload.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, 'bench/out');
const sizeMiB = Number(process.env.BENCH_SIZE_MIB ?? 1024);
const runs = Number(process.env.BENCH_RUNS ?? 3);

async function serve(file: string): Promise<{ server: Server; url: string }> {
  const { size, mtime } = await stat(file);
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': size, etag: `"${size}-${mtime.getTime()}"`, 'content-type': 'application/octet-stream' });
    createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}/image.raw.xz` };
}

/** Runs a shell command under /usr/bin/time -v; returns seconds and peak RSS in KiB. */
interface Timing { seconds: number; cpuSeconds: number; maxRssKiB: number }

const field = (text: string, name: string) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(text)?.[1] ?? 0);

function timed(command: string, env: NodeJS.ProcessEnv = process.env): Promise<Timing> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', 'bash', '-c', command], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return fail(new Error(`${command} failed (${code}): ${stderr.slice(-800)}`));
      const cpuSeconds = field(stderr, 'User time \\(seconds\\)') + field(stderr, 'System time \\(seconds\\)');
      done({ seconds, cpuSeconds, maxRssKiB: field(stderr, 'Maximum resident set size \\(kbytes\\)') });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
type Name = 'atomlab' | 'plain' | 'threaded';
const NAMES: Name[] = ['atomlab', 'plain', 'threaded'];

/** sha256 of the published file, so atomlab verifies it as it streams (the peer hashes it too). */
async function digestOf(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function runAtomlab(url: string, sha256: string, index: number) {
  const home = join(out, `home-${index}`);
  await rm(home, { recursive: true, force: true });
  // node itself (not the shell) is what /usr/bin/time measures: exec replaces bash
  const result = await timed(`exec node ${join(root, 'bin/atomlab.js')} images pull ${url} --sha256 ${sha256} --json`, { ...process.env, ATOMLAB_HOME: home });
  await rm(home, { recursive: true, force: true });
  return result;
}

async function runPeer(url: string, xzArgs: string) {
  const target = join(out, 'peer.raw');
  const result = await timed(`curl -s ${url} | tee >(sha256sum > /dev/null) | xz ${xzArgs} > ${target}`);
  await rm(target, { force: true });
  return result;
}

async function main(): Promise<void> {
  await mkdir(out, { recursive: true });
  const payload = await ensurePayload(out, sizeMiB);
  const compressed = (await stat(payload.xz)).size;
  const sha256 = await digestOf(payload.xz);
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  const { server, url } = await serve(payload.xz);
  const contenders: Record<Name, (round: number) => Promise<Timing>> = {
    atomlab: (round) => runAtomlab(url, sha256, round),
    plain: () => runPeer(url, '-dc'),
    threaded: () => runPeer(url, '-T0 -dc'),
  };
  const times: Record<Name, Timing[]> = { atomlab: [], plain: [], threaded: [] };
  try {
    for (let round = 0; round < runs; round += 1) {
      // rotate the order each round: a shared machine's load drifts
      const names = NAMES.map((_, i) => NAMES[(i + round) % NAMES.length]!);
      for (const name of names) times[name].push(await contenders[name](round));
    }
  } finally {
    server.close();
  }
  report(times, compressed);
  console.log(`load average at the start: ${load}`);
}

function report(times: Record<Name, Timing[]>, compressed: number): void {
  const wall = (name: Name) => median(times[name].map((t) => t.seconds));
  const cpu = (name: Name) => median(times[name].map((t) => t.cpuSeconds));
  const [a, p, t] = [wall('atomlab'), wall('plain'), wall('threaded')];
  const peakRss = Math.max(...times.atomlab.map((timing) => timing.maxRssKiB));
  const line = (label: string, name: Name) =>
    `${label.padEnd(32)} ${wall(name).toFixed(2)} s  ${(sizeMiB / wall(name)).toFixed(0)} MiB/s  cpu ${cpu(name).toFixed(1)} s  runs ${times[name].map((x) => x.seconds.toFixed(1)).join(' ')}`;
  console.log(`payload: ${sizeMiB} MiB raw, ${(compressed / 1024 / 1024).toFixed(0)} MiB .xz (multi-block), ${runs} runs, medians`);
  console.log(line('atomlab images pull', 'atomlab'));
  console.log(line('curl | tee sha256sum | xz -dc', 'plain'));
  console.log(line('same with xz -T0 -dc', 'threaded'));
  console.log(`throughput vs plain pipeline:    ${(p / a).toFixed(2)}x (target >= 1.4x)`);
  console.log(`throughput vs threaded pipeline: ${(t / a).toFixed(2)}x (target >= 0.95x)`);
  console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`atomlab peak RSS: ${(peakRss / 1024).toFixed(0)} MiB (largest of node and its xz child; target < 200 MB)`);
}

await main();
