/**
 * Fetch benchmark: atomlab's pull (download + sha256 + multi-threaded xz + cache) against the
 * peer pipeline `curl -s URL | tee >(sha256sum) | xz -dc > out`, and the same with `xz -T0 -dc`,
 * in one run on one local server. Prints medians, both throughput ratios and atomlab's peak RSS.
 *   npm run bench:fetch            (BENCH_SIZE_MIB=1024, BENCH_RUNS=3 by default)
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
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
function timed(command: string, env: NodeJS.ProcessEnv = process.env): Promise<{ seconds: number; maxRssKiB: number }> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', 'bash', '-c', command], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return fail(new Error(`${command} failed (${code}): ${stderr.slice(-800)}`));
      done({ seconds, maxRssKiB: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? 0) });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function runAtomlab(url: string, index: number) {
  const home = join(out, `home-${index}`);
  await rm(home, { recursive: true, force: true });
  // node itself (not the shell) is what /usr/bin/time measures: exec replaces bash
  const result = await timed(`exec node ${join(root, 'bin/atomlab.js')} images pull ${url} --json`, { ...process.env, ATOMLAB_HOME: home });
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
  const { server, url } = await serve(payload.xz);
  const times = { atomlab: [] as number[], plain: [] as number[], threaded: [] as number[] };
  let peakRss = 0;
  try {
    for (let i = 0; i < runs; i += 1) {
      const mine = await runAtomlab(url, i);
      times.atomlab.push(mine.seconds);
      peakRss = Math.max(peakRss, mine.maxRssKiB);
      times.plain.push((await runPeer(url, '-dc')).seconds);
      times.threaded.push((await runPeer(url, '-T0 -dc')).seconds);
    }
  } finally {
    server.close();
  }
  report(times, peakRss, compressed);
}

function report(times: Record<'atomlab' | 'plain' | 'threaded', number[]>, peakRssKiB: number, compressed: number): void {
  const [a, p, t] = [median(times.atomlab), median(times.plain), median(times.threaded)];
  const rate = (seconds: number) => `${(sizeMiB / seconds).toFixed(0)} MiB/s`;
  console.log(`payload: ${sizeMiB} MiB raw, ${(compressed / 1024 / 1024).toFixed(0)} MiB .xz (multi-block), ${runs} runs, medians`);
  console.log(`atomlab images pull            ${a.toFixed(2)} s  ${rate(a)}`);
  console.log(`curl | tee sha256sum | xz -dc   ${p.toFixed(2)} s  ${rate(p)}`);
  console.log(`same with xz -T0 -dc            ${t.toFixed(2)} s  ${rate(t)}`);
  console.log(`throughput vs plain pipeline:    ${(p / a).toFixed(2)}x (target >= 1.4x)`);
  console.log(`throughput vs threaded pipeline: ${(t / a).toFixed(2)}x (target >= 0.95x)`);
  console.log(`atomlab peak RSS: ${(peakRssKiB / 1024).toFixed(0)} MiB (target < 200 MB)`);
}

await main();
