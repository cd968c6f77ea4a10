import { spawn } from 'node:child_process';
import { access, constants, mkdir, readFile, readdir } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lab/files/index.js';
import { atomlabHome } from '../../lab/home/index.js';

export interface AccelAnswer {
  accel: 'kvm' | 'tcg';
  /** Why, in one line, for doctor and the first `up`. */
  reason: string;
  /** True when a probe boot decided it (only those are cached: the rest is cheap to ask again). */
  booted?: boolean;
}

export interface ProbeOptions {
  binary: string;
  /** Kernels to try booting, best first; the first existing one is used. */
  kernels?: string[];
  timeoutMs?: number;
  cacheFile?: string;
  kvmDevice?: string;
}

async function usable(path: string, mode = constants.R_OK): Promise<boolean> {
  return access(path, mode).then(() => true, () => false);
}

async function kernelsIn(boot: string): Promise<string[]> {
  const names = await readdir(boot).catch(() => [] as string[]);
  return names.filter((name) => name.startsWith('vmlinuz')).sort().reverse().map((name) => join(boot, name));
}

/**
 * Kernels to probe with: $ATOMLAB_PROBE_KERNEL, the running kernel's image, any other in /boot,
 * and the Debian kernel scripts/setup-host unpacks into the atomlab home.
 */
export async function probeKernels(env = process.env): Promise<string[]> {
  const candidates = [env.ATOMLAB_PROBE_KERNEL, `/boot/vmlinuz-${release()}`, ...(await kernelsIn('/boot')), ...(await kernelsIn(join(atomlabHome(env), 'guest-kernel', 'boot')))];
  return candidates.filter((k): k is string => Boolean(k));
}

/** What a probe boot showed: the kernel was reached, or why not (a hang, or QEMU's own words). */
export interface ProbeBoot {
  reached: boolean;
  why?: string;
}

/**
 * Boots a kernel under KVM with no root file system: a working KVM reaches the kernel's panic
 * ("VFS: Unable to mount root fs") within a second or two; a broken one hangs or QEMU fails. The
 * QEMU process is always killed and reaped before this returns.
 */
export function bootReachesPanic(binary: string, kernel: string, timeoutMs: number): Promise<ProbeBoot> {
  return new Promise((resolve) => {
    const child = spawn(
      binary,
      ['-accel', 'kvm', '-machine', 'pc', '-cpu', 'host', '-m', '128', '-nodefaults', '-no-user-config', '-display', 'none',
        '-serial', 'stdio', '-kernel', kernel, '-append', 'console=ttyS0 panic=-1 loglevel=4', '-no-reboot'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let errors = '';
    let outcome: ProbeBoot | undefined;
    const finish = (result: ProbeBoot) => {
      outcome ??= result;
      clearTimeout(timer);
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => finish({ reached: false, why: `a probe boot under KVM hung for ${timeoutMs / 1000} s (nested virtualization?)` }), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (/Kernel panic|VFS: Unable to mount root/.test(output)) finish({ reached: true });
    });
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    child.on('error', (error) => finish({ reached: false, why: error.message }));
    child.on('close', () => {
      clearTimeout(timer);
      const last = errors.trim().split('\n').filter((line) => !/warning/.test(line)).at(0);
      resolve(outcome ?? { reached: false, why: `QEMU stopped under KVM before the kernel ran${last ? `: ${last}` : ''}` });
    });
  });
}

function cacheKey(binary: string): string {
  return `${hostname()}|${release()}|${binary}`;
}

async function readCache(file: string, key: string): Promise<AccelAnswer | undefined> {
  const data = await readFile(file, 'utf8').then((text) => JSON.parse(text) as Record<string, AccelAnswer>, () => undefined);
  return data?.[key];
}

async function writeCache(file: string, key: string, answer: AccelAnswer): Promise<void> {
  const data = await readFile(file, 'utf8').then((text) => JSON.parse(text) as Record<string, AccelAnswer>, () => ({}));
  await mkdir(join(file, '..'), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify({ ...data, [key]: answer }, null, 2)}\n`);
}

async function probeOnce(options: ProbeOptions): Promise<AccelAnswer> {
  const device = options.kvmDevice ?? '/dev/kvm';
  if (!(await usable(device, constants.R_OK | constants.W_OK))) return { accel: 'tcg', reason: `${device} is absent or not writable` };
  const kernels = options.kernels ?? (await probeKernels());
  let kernel: string | undefined;
  for (const candidate of kernels) if (!kernel && (await usable(candidate))) kernel = candidate;
  if (!kernel) return { accel: 'tcg', reason: 'no kernel to probe KVM with (set ATOMLAB_PROBE_KERNEL, or provider accel: kvm to force it)' };
  const boot = await bootReachesPanic(options.binary, kernel, options.timeoutMs ?? 20_000);
  return boot.reached
    ? { accel: 'kvm', reason: `a probe boot of ${kernel} under KVM reached the kernel`, booted: true }
    : { accel: 'tcg', reason: `${device} exists, but ${boot.why}`, booted: true };
}

/** KVM when a probe boot shows it works, else TCG; the answer is cached per host. */
export async function probeAccelerator(options: ProbeOptions): Promise<AccelAnswer> {
  const file = options.cacheFile ?? join(atomlabHome(), 'probes', 'accelerator.json');
  const key = cacheKey(options.binary);
  const cached = await readCache(file, key);
  if (cached) return cached;
  const answer = await probeOnce(options);
  if (answer.booted) await writeCache(file, key, answer);
  return answer;
}
