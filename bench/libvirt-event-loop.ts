/**
 * How long libvirt calls block Node's event loop, and what the same work costs through virsh.
 * Usage: npm run build && node dist/bench/libvirt-event-loop.js [rounds] [uri]
 * Starts libvirtd by hand when none runs (and stops it afterwards). Target: no stall over 50 ms.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Connection } from '../providers/libvirt/libvirt-client.js';
import { libvirt } from '../providers/libvirt/client/library.js';
import { ensureLibvirtd } from '../test/fixtures/libvirtd.js';

const run = promisify(execFile);
const rounds = Number(process.argv[2] ?? 5);

function domainXml(name: string): string {
  return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices><video><model type='none'/></video></devices></domain>`;
}

interface Figures {
  maxStallMs: number;
  p99StallMs: number;
  /** Longest stall minus the time the main thread waited for a CPU: what this process held the loop. */
  maxOwnStallMs: number;
  msPerRound: number;
}

/** The main thread's time on the CPU and waiting in the run queue (ns), from the kernel. */
function schedstat(): { runQueueMs: number } {
  const [, waiting] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
  return { runQueueMs: (waiting ?? 0) / 1e6 };
}

/**
 * Ticks every millisecond and subtracts from each late tick the time the main thread spent
 * runnable but not scheduled (run-queue wait, from /proc): what is left is time the loop was held
 * by this process itself (running JS or blocked in a call), the figure the 50 ms target is about.
 */
function ownStallWatcher(): { stop: () => number } {
  let last = performance.now();
  let queued = schedstat().runQueueMs;
  let worst = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    const nowQueued = schedstat().runQueueMs;
    worst = Math.max(worst, now - last - (nowQueued - queued));
    last = now;
    queued = nowQueued;
  }, 1);
  return { stop: () => (clearInterval(ticker), worst) };
}

async function measure(work: () => Promise<void>): Promise<Figures> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const watcher = ownStallWatcher();
  histogram.enable();
  const started = performance.now();
  await work();
  const elapsed = performance.now() - started;
  histogram.disable();
  const maxOwnStallMs = watcher.stop();
  return { maxStallMs: histogram.max / 1e6, p99StallMs: histogram.percentile(99) / 1e6, maxOwnStallMs, msPerRound: elapsed / rounds };
}

async function apiRounds(conn: Connection): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    const domain = await conn.defineDomain(domainXml(`atomlab-bench-api-${process.pid}`));
    await domain.create();
    await domain.state();
    await domain.destroy();
    await domain.undefine();
    domain.free();
  }
}

async function syncRound(conn: Connection): Promise<void> {
  // The same calls made synchronously, for contrast: this is what .async avoids.
  const lib = libvirt();
  const domain = lib.virDomainDefineXML(conn.ptr, domainXml(`atomlab-bench-sync-${process.pid}`)) as bigint;
  lib.virDomainCreate(domain);
  lib.virDomainDestroy(domain);
  lib.virDomainUndefineFlags(domain, 0);
  lib.virDomainFree(domain);
  await new Promise((resolve) => setTimeout(resolve, 5));
}

async function virshRounds(uri: string, dir: string): Promise<void> {
  const name = `atomlab-bench-virsh-${process.pid}`;
  const file = join(dir, 'domain.xml');
  await writeFile(file, domainXml(name));
  for (let i = 0; i < rounds; i += 1) {
    for (const args of [['define', file], ['start', name], ['domstate', name], ['destroy', name], ['undefine', name]]) await run('virsh', ['-q', '-c', uri, ...args]);
  }
}

function show(label: string, figures: Figures): void {
  const cells = [
    `max stall ${figures.maxStallMs.toFixed(1).padStart(7)} ms`,
    `p99 ${figures.p99StallMs.toFixed(1).padStart(6)} ms`,
    `own (minus run-queue wait) ${figures.maxOwnStallMs.toFixed(1).padStart(7)} ms`,
    `${figures.msPerRound.toFixed(0).padStart(6)} ms/round`,
  ];
  console.log(`${label.padEnd(36)} ${cells.join('   ')}`);
}

async function main(): Promise<void> {
  const daemon = await ensureLibvirtd();
  const uri = process.argv[3] ?? daemon.localUri;
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-bench-'));
  const conn = await Connection.open(uri);
  try {
    await apiRounds(conn); // warm-up: the first calls make libvirt probe QEMU
    console.log(`${rounds} rounds of define + start + state + destroy + undefine on ${uri} (TCG)`);
    const api = await measure(() => apiRounds(conn));
    const virsh = await measure(() => virshRounds(uri, dir));
    const idle = await measure(() => new Promise((resolve) => setTimeout(resolve, api.msPerRound * rounds)));
    const sync = await measure(async () => {
      for (let i = 0; i < rounds; i += 1) await syncRound(conn);
    });
    show('idle loop, no libvirt (control)', idle);
    show('atomlab bindings (koffi .async)', api);
    show('virsh (one process per call)', virsh);
    show('same calls, synchronous (contrast)', sync);
    console.log(`virsh / bindings time per round: ${(virsh.msPerRound / api.msPerRound).toFixed(2)}x`);
    console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
    console.log(`longest stall with the bindings: ${api.maxStallMs.toFixed(1)} ms, held by this process (run-queue wait removed): ${api.maxOwnStallMs.toFixed(1)} ms (target < 50 ms: ${api.maxOwnStallMs < 50 ? 'met' : 'NOT met'})`);
  } finally {
    await conn.close();
    await rm(dir, { recursive: true, force: true });
    await daemon.stop();
  }
}

await main();
