/**
 * A classroom of N `tiny` guests (N = 1, 5, 10 by default): wall time from `atomlab up` to all
 * verified, atomlab's own CPU time and peak RSS (GNU time around the CLI: the node process and
 * the tools it waits for, not the daemonized guests), against the guests' CPU time read from
 * /proc of their QEMU processes in the same run. Targets at N=10: atomlab's CPU under 5% of the
 * guests', peak RSS under 200 MB.
 * Run: npm run bench:classroom [-- N… [--parallel P]]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = new URL('../../bin/atomlab.js', import.meta.url).pathname;
/** Clock ticks per second for /proc/PID/stat (USER_HZ; 100 on Linux x86). */
const TICKS = 100;

interface Sample {
  n: number;
  wallS: number;
  atomlabCpuS: number;
  peakRssMiB: number;
  guestCpuS: number;
}

/** utime + stime of every QEMU process whose -name is `LAB/…`. */
async function guestCpuSeconds(lab: string): Promise<number> {
  let ticks = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.startsWith('qemu-system') || !cmdline.includes(`\0-name\0${lab}/`)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  }
  return ticks / TICKS;
}

async function classroom(n: number, parallel: number): Promise<Sample> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-bench-class-'));
  const file = join(dir, 'atomlab.yaml');
  const lab = `bench-class-${n}`;
  await writeFile(file, `name: ${lab}\ndefaults:\n  image: tiny\n  login: { user: student, password: generate }\nvms:\n  - name: student-{{n:02}}\n    count: ${n}\n`);
  try {
    const timed = await run('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, BIN, 'up', file, '--parallel', String(parallel), '--json'], { maxBuffer: 1 << 26 });
    const guestCpuS = await guestCpuSeconds(lab);
    const verified = (JSON.parse(timed.stdout) as { vms: { login: { verified: boolean } }[] }).vms.filter((vm) => vm.login.verified).length;
    if (verified !== n) throw new Error(`only ${verified} of ${n} VMs verified`);
    const [wall, user, system, rssKiB] = timed.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    return { n, wallS: wall!, atomlabCpuS: user! + system!, peakRssMiB: rssKiB! / 1024, guestCpuS };
  } finally {
    await run(process.execPath, [BIN, 'down', file]).catch((error: Error) => console.error(`down failed: ${error.message}`));
    await rm(dir, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): { sizes: number[]; parallel: number } {
  const at = argv.indexOf('--parallel');
  const parallel = at >= 0 ? Number(argv[at + 1]) : 3;
  const sizes = argv.filter((arg, i) => /^\d+$/.test(arg) && argv[i - 1] !== '--parallel').map(Number);
  return { sizes: sizes.length ? sizes : [1, 5, 10], parallel };
}

async function main(): Promise<void> {
  const { sizes, parallel } = parseArgs(process.argv.slice(2));
  await run(process.execPath, [BIN, 'images', 'pull', 'tiny']);
  console.log(`classroom of tiny guests under ${parallel} at a time (atomlab = the CLI process and the tools it waits for)`);
  console.log('N   wall-to-verified  atomlab-CPU  guests-CPU  atomlab/guests  atomlab-peak-RSS');
  const samples: Sample[] = [];
  for (const n of sizes) {
    const s = await classroom(n, parallel);
    samples.push(s);
    const ratio = (100 * s.atomlabCpuS) / s.guestCpuS;
    console.log(`${String(n).padEnd(3)} ${s.wallS.toFixed(1).padStart(14)} s ${s.atomlabCpuS.toFixed(2).padStart(10)} s ${s.guestCpuS.toFixed(1).padStart(9)} s ${ratio.toFixed(2).padStart(13)} % ${s.peakRssMiB.toFixed(0).padStart(13)} MiB`);
  }
  const last = samples.at(-1)!;
  const ratio = last.atomlabCpuS / last.guestCpuS;
  console.log(`N=${last.n}: atomlab CPU ${(100 * ratio).toFixed(2)}% of the guests' (target < 5%): ${ratio < 0.05 ? 'met' : 'NOT met'}; peak RSS ${last.peakRssMiB.toFixed(0)} MiB (target < 200 MB): ${last.peakRssMiB * 1.048576 < 200 ? 'met' : 'NOT met'}`);
}

await main();
