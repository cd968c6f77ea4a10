import { join } from 'node:path';
import { AtomlabError, isNoSpace, noSpaceError } from '../errors/index.js';
import type { VmPlan } from '../plan/index.js';
import type { BaseDisk, Provider, VmRef } from '../provider/index.js';
import { waitReady } from '../ready/index.js';
import { refuseImpostor } from '../ssh/index.js';
import type { VmRecord } from '../state/index.js';
import { cachedImage, diskFor } from './image-stage.js';
import { labResourcesOf } from './lab-resources.js';
import { planHash, type LabSession } from './lab-session.js';
import { serveUrlsForVm, usesServe } from './lab-servers.js';
import { ensureLabKey, prepareSeed, readSecrets, type LabKey, type PreparedSeed } from './vm-seed.js';

/**
 * One VM through the stages users see, in order: image → disk → seed → machine → ready. Each
 * stage is one function below; state records the VM before its machine exists, so `down`
 * finds whatever a crash leaves.
 */

export type UpAction = 'created' | 'started' | 'unchanged' | 'changed';

export interface VmOutcome {
  name: string;
  action: UpAction;
}

class Timer {
  readonly timings: Record<string, number> = {};
  private last = Date.now();
  private readonly first = this.last;

  lap(phase: string): void {
    const now = Date.now();
    this.timings[phase] = now - this.last;
    this.last = now;
  }

  total(): Record<string, number> {
    return { ...this.timings, total: Date.now() - this.first };
  }
}

/** What the stages of one VM share. */
interface VmRun {
  session: LabSession;
  plan: VmPlan;
  provider: Provider;
  labKey: LabKey;
  timer: Timer;
  dir: string;
}

function emit(run: VmRun, phase: 'image' | 'disk' | 'seed' | 'create', detail?: string): void {
  run.session.events({ kind: 'phase', vm: run.plan.name, phase, detail });
}

/** Stage image: the cached, verified base image (or the recipe's build). */
async function imageStage(run: VmRun): Promise<BaseDisk> {
  emit(run, 'image', run.plan.image.id);
  const image = await cachedImage(run.plan.image, { provider: run.plan.provider.name, signal: run.session.signal, onProgress: (detail) => run.session.events({ kind: 'progress', vm: run.plan.name, detail }) });
  run.timer.lap('image');
  return image;
}

/** Stage disk: the base in a format the provider takes (converted once, cached). */
async function diskStage(run: VmRun, image: BaseDisk): Promise<BaseDisk> {
  const wanted = run.provider.diskWanted(run.plan);
  if (!wanted.formats.includes(image.format) || wanted.subformat) emit(run, 'disk', `${image.format} → ${wanted.formats[0]}`);
  const disk = await diskFor(image, wanted);
  run.timer.lap('disk');
  return disk;
}

/** Stage seed: rendered as data, written in the plan's transport; the VM is recorded with its pinned host key. */
async function seedStage(run: VmRun): Promise<PreparedSeed> {
  emit(run, 'seed', run.plan.seed);
  const { session, plan } = run;
  const serveUrls = usesServe(plan) ? await serveUrlsForVm(session, plan, run.provider) : {};
  const seed = await prepareSeed({ plan, vmDir: run.dir, labKey: run.labKey, serveUrls });
  const record: VmRecord = {
    name: plan.name,
    provider: plan.provider.name,
    providerOptions: plan.provider.options,
    planHash: planHash(plan),
    instanceId: seed.instanceId,
    dir: run.dir,
    createdAt: new Date().toISOString(),
    hostKey: seed.hostKey,
  };
  await session.store.update((state) => void (state.vms[plan.name] = record));
  run.timer.lap('seed');
  return seed;
}

/** Stage machine (create): the provider makes the VM from the disk (none for an image already in the cloud) and the seed; not started. */
async function machineStage(run: VmRun, base: BaseDisk | undefined, seed: PreparedSeed): Promise<VmRef> {
  emit(run, 'create', run.plan.provider.name);
  const { session, plan } = run;
  const request = { plan, dir: run.dir, consoleLog: join(run.dir, 'console.log'), base, seed: seed.medium, labResources: labResourcesOf(session.store, plan.provider.name) };
  const ref = await run.provider.create(request, session.signal);
  await session.store.update((state) => void (state.vms[plan.name]!.ref = ref));
  run.timer.lap('create');
  return ref;
}

/** Stages image and disk for an image already in the cloud: nothing to pull or convert. */
function cloudImageStage(run: VmRun): undefined {
  emit(run, 'image', `${run.plan.image.title} (already in the cloud)`);
  run.timer.lap('image');
  return undefined;
}

/** A VM from nothing, up to its machine: image → disk → seed → machine. A full disk says which directory. */
async function create(run: VmRun): Promise<VmRef> {
  const image = run.plan.image.cloud ? undefined : await imageStage(run);
  try {
    const disk = image ? await diskStage(run, image) : cloudImageStage(run);
    const seed = await seedStage(run);
    return await machineStage(run, disk, seed);
  } catch (error) {
    if (isNoSpace(error) && !(error instanceof AtomlabError && error.code === 'IO')) throw noSpaceError(run.dir, `creating ${run.plan.name}`, error);
    throw error;
  }
}

/** Stages machine (start) and ready: boot, then a verified login through the readiness table. */
async function startAndVerify(run: VmRun, ref: VmRef): Promise<void> {
  const { session, plan, provider, labKey, timer } = run;
  const record = session.store.current.vms[plan.name]!;
  session.events({ kind: 'phase', vm: plan.name, phase: 'start' });
  await provider.start(ref, session.signal);
  timer.lap('start');
  const known = await provider.endpoint(ref).catch(() => undefined); // a DHCP lease comes later
  const secrets = await readSecrets(record.dir);
  session.events({ kind: 'phase', vm: plan.name, phase: 'ready', detail: known ? `ssh ${plan.login.user}@${known.host} -p ${known.port}` : `${plan.login.user}@ (address from DHCP)` });
  const ready = await waitReady({
    target: { vm: plan.name, endpoint: () => provider.endpoint(ref), user: plan.login.user, privateKey: labKey.privateKey, hostKey: record.hostKey, password: secrets?.password, hostname: plan.hostname, firstBoot: plan.image.config },
    console: (signal) => provider.console(ref, signal),
    timeoutMs: plan.bootTimeoutMs,
    signal: session.signal,
    onStage: (stage, note) => session.events({ kind: 'progress', vm: plan.name, detail: `${stage} ok${note ? `: ${note}` : ''}` }),
  });
  for (const warning of ready.warnings) session.events({ kind: 'warning', vm: plan.name, message: warning });
  const endpoint = await provider.endpoint(ref);
  const ports = provider.forwardedPorts ? await provider.forwardedPorts(ref) : [];
  await session.store.update((state) => {
    const vm = state.vms[plan.name]!;
    vm.ssh = { ...endpoint, user: plan.login.user };
    vm.ports = ports.map((p) => ({ guest: p.guest, protocol: p.protocol, host: p.host.port }));
    vm.login = ready.login;
    vm.timings = { ...timer.total(), ...ready.timings };
    delete vm.error;
  });
}

/** What to do with a VM the lab already has. */
async function existing(session: LabSession, plan: VmPlan, provider: Provider, record: VmRecord & { ref: VmRef }): Promise<UpAction | 'recreate'> {
  const state = await provider.state(record.ref);
  if (state === 'missing') return 'recreate';
  if (record.planHash !== planHash(plan)) return 'changed';
  if (state === 'running' && record.login?.verified) return 'unchanged';
  if (state === 'crashed' || state === 'paused') await provider.stop(record.ref, { force: true });
  return 'started';
}

export interface BringUpOptions {
  /** Destroy what exists and make the VM anew (a retry after a failed verification). */
  recreate?: boolean;
  /** False when another attempt follows a failure: the view shows `retrying`, not `failed`. */
  lastAttempt?: boolean;
}

/**
 * Brings one VM to a verified login: creates what is missing, starts what is stopped, leaves a
 * verified running VM alone and reports a VM whose scenario changed. Ctrl-C stops what this
 * call was starting; state always records what exists, for `down`.
 */
export async function bringUp(session: LabSession, plan: VmPlan, options: BringUpOptions = {}): Promise<VmOutcome> {
  const provider = await session.provider(plan.provider);
  const labKey = await ensureLabKey(session.paths, session.plan.name);
  const run: VmRun = { session, plan, provider, labKey, timer: new Timer(), dir: session.paths.vmDir(plan.name) };
  const record = session.store.current.vms[plan.name];
  const known = record?.ref && !options.recreate ? await existing(session, plan, provider, record as VmRecord & { ref: VmRef }) : undefined;
  const action: UpAction | 'recreate' = known ?? 'recreate';
  if (action === 'unchanged' || action === 'changed') {
    session.events({ kind: 'phase', vm: plan.name, phase: action, detail: action === 'changed' ? 'the scenario changed: run atomlab down, then up, to apply it' : undefined });
    return { name: plan.name, action };
  }
  let ref = record?.ref;
  try {
    if (action === 'started' && record?.ssh) await refuseImpostor({ ...record.ssh, privateKey: labKey.privateKey, hostKey: record.hostKey, signal: session.signal });
    if (action === 'recreate') {
      if (ref) await provider.destroy(ref);
      ref = await create(run);
    }
    await startAndVerify(run, ref!);
  } catch (error) {
    await fail(session, plan, provider, ref ?? session.store.current.vms[plan.name]?.ref, error, options.lastAttempt ?? true);
  }
  session.events({ kind: 'phase', vm: plan.name, phase: 'verified' });
  return { name: plan.name, action: action === 'recreate' ? 'created' : action };
}

async function fail(session: LabSession, plan: VmPlan, provider: Provider, ref: VmRef | undefined, error: unknown, lastAttempt: boolean): Promise<never> {
  const interrupted = session.signal.aborted;
  if (interrupted && ref) {
    await provider.stop(ref, { force: true }).catch((stopError: unknown) => {
      const why = stopError instanceof Error ? stopError.message : String(stopError);
      session.events({ kind: 'warning', vm: plan.name, message: `could not stop ${plan.name} after the interrupt (${why}); atomlab down removes it` });
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (session.store.current.vms[plan.name]) await session.store.update((state) => void (state.vms[plan.name]!.error = message));
  session.events({ kind: 'phase', vm: plan.name, phase: lastAttempt || interrupted ? 'failed' : 'retrying', detail: message });
  if (interrupted && !(error instanceof AtomlabError && error.code === 'INTERRUPTED')) {
    throw new AtomlabError(`${plan.name}: interrupted`, { code: 'INTERRUPTED', cause: error });
  }
  throw error;
}
