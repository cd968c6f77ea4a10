import { join } from 'node:path';
import { AtomlabError } from '../errors/index.js';
import type { Provider, VmRef, Workspace } from '../provider/index.js';
import { waitReady } from '../ready/index.js';
import type { VmPlan } from '../scenario/index.js';
import type { VmRecord } from '../state/index.js';
import { baseImage } from './base-image.js';
import { planHash, type LabSession } from './lab-session.js';
import { serveUrlsForVm, usesServe } from './lab-servers.js';
import { ensureLabKey, prepareSeed, readSecrets, type LabKey } from './vm-seed.js';

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

function workspace(session: LabSession, plan: VmPlan, base: Workspace['baseImage'], seedIso: string): Workspace {
  const dir = session.paths.vmDir(plan.name);
  return { dir, baseImage: base, seedIso, consoleLog: join(dir, 'console.log') };
}

/** Creates a VM from nothing: image, seed, disk and machine; recorded before it starts. */
async function create(session: LabSession, plan: VmPlan, provider: Provider, labKey: LabKey, timer: Timer): Promise<VmRef> {
  const emit = (phase: 'image' | 'seed' | 'create', detail?: string) => session.events({ kind: 'phase', vm: plan.name, phase, detail });
  emit('image', plan.image.id);
  const base = await baseImage(plan.image, { signal: session.signal, onProgress: (detail) => session.events({ kind: 'progress', vm: plan.name, detail }) });
  timer.lap('image');
  emit('seed');
  const dir = session.paths.vmDir(plan.name);
  const serveUrls = usesServe(plan) ? await serveUrlsForVm(session, plan, provider) : {};
  const seed = await prepareSeed(plan, dir, labKey, serveUrls);
  const record: VmRecord = {
    name: plan.name,
    provider: plan.provider.name,
    providerOptions: plan.provider.options,
    planHash: planHash(plan),
    instanceId: seed.instanceId,
    dir,
    createdAt: new Date().toISOString(),
    hostKey: seed.hostKey,
  };
  await session.store.update((state) => void (state.vms[plan.name] = record));
  timer.lap('seed');
  emit('create', plan.provider.name);
  const ref = await provider.create(plan, workspace(session, plan, base, seed.seedIso), session.signal);
  await session.store.update((state) => void (state.vms[plan.name]!.ref = ref));
  timer.lap('create');
  return ref;
}

async function startAndVerify(session: LabSession, plan: VmPlan, provider: Provider, ref: VmRef, labKey: LabKey, timer: Timer): Promise<void> {
  const record = session.store.current.vms[plan.name]!;
  session.events({ kind: 'phase', vm: plan.name, phase: 'start' });
  await provider.start(ref, session.signal);
  timer.lap('start');
  const known = await provider.endpoint(ref).catch(() => undefined); // a DHCP lease comes later
  const secrets = await readSecrets(record.dir);
  session.events({ kind: 'phase', vm: plan.name, phase: 'ready', detail: known ? `ssh ${plan.login.user}@${known.host} -p ${known.port}` : `${plan.login.user}@ (address from DHCP)` });
  const ready = await waitReady({
    target: { vm: plan.name, endpoint: () => provider.endpoint(ref), user: plan.login.user, privateKey: labKey.privateKey, hostKey: record.hostKey, password: secrets?.password, hostname: plan.hostname },
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
  const timer = new Timer();
  const record = session.store.current.vms[plan.name];
  const known = record?.ref && !options.recreate ? await existing(session, plan, provider, record as VmRecord & { ref: VmRef }) : undefined;
  const action: UpAction | 'recreate' = known ?? 'recreate';
  if (action === 'unchanged' || action === 'changed') {
    session.events({ kind: 'phase', vm: plan.name, phase: action, detail: action === 'changed' ? 'the scenario changed: run atomlab down, then up, to apply it' : undefined });
    return { name: plan.name, action };
  }
  let ref = record?.ref;
  try {
    if (action === 'recreate') {
      if (ref) await provider.destroy(ref);
      ref = await create(session, plan, provider, labKey, timer);
    }
    await startAndVerify(session, plan, provider, ref!, labKey, timer);
  } catch (error) {
    await fail(session, plan, provider, ref ?? session.store.current.vms[plan.name]?.ref, error, options.lastAttempt ?? true);
  }
  session.events({ kind: 'phase', vm: plan.name, phase: 'verified' });
  return { name: plan.name, action: action === 'recreate' ? 'created' : action };
}

async function fail(session: LabSession, plan: VmPlan, provider: Provider, ref: VmRef | undefined, error: unknown, lastAttempt: boolean): Promise<never> {
  const interrupted = session.signal.aborted;
  if (interrupted && ref) await provider.stop(ref, { force: true }).catch(() => undefined);
  const message = error instanceof Error ? error.message : String(error);
  if (session.store.current.vms[plan.name]) await session.store.update((state) => void (state.vms[plan.name]!.error = message));
  session.events({ kind: 'phase', vm: plan.name, phase: lastAttempt || interrupted ? 'failed' : 'retrying', detail: message });
  if (interrupted && !(error instanceof AtomlabError && error.code === 'INTERRUPTED')) {
    throw new AtomlabError(`${plan.name}: interrupted`, { code: 'INTERRUPTED', cause: error });
  }
  throw error;
}
