import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomlabError } from '../errors/index.js';
import { removeStaleTemporaries } from '../files/index.js';
import type { LabPlan, ProviderPlan } from '../plan/index.js';
import type { ProviderRegistry } from '../provider/index.js';
import { stopServersLoggingUnder } from '../serve/index.js';
import { acquireLabLock, labPaths, labStateDir, labStateDirs, readState, StateStore, UnreadableStateError, type StateDirEntry, type VmRecord } from '../state/index.js';
import { ignoreEvents, type EventSink } from './events.js';
import { forceDownLab } from './force-down.js';
import { providersOfPlan, providersOfState, removeProviderImages, removeTaggedResources, type TaggedReport } from './inventory.js';
import { teardownLabResources } from './lab-resources.js';
import { stopServers } from './lab-servers.js';

export interface DownOptions {
  providers: ProviderRegistry;
  events?: EventSink;
  /** The scenario's labs when it still loads: their providers are asked too (a state lost or never written). */
  plans?: LabPlan[];
  /** Also remove every image the labs' cloud providers uploaded (shared between labs by digest). */
  images?: boolean;
  /** False: refuse at once when another atomlab holds the lab (`--no-wait`); default: wait for it. */
  wait?: boolean;
  /** Remove what can be found when the state file cannot be read (`down --force`). */
  force?: boolean;
}

export interface DownResult {
  /** The VMs removed; in a matrix, named `<combination>/<vm>`. */
  removed: string[];
  /** Per lab and provider: what carried the lab's tag in the cloud after the state's own teardown, removed. */
  tagged: (TaggedReport & { lab: string })[];
  /** With `images`: the uploaded images removed, per provider. */
  images?: TaggedReport[];
}

/** One lab's outcome: its VMs removed, what was removed by tag, and the providers it used. */
interface LabDown {
  removed: string[];
  tagged: (TaggedReport & { lab: string })[];
  providers: ProviderPlan[];
}

async function removeVm(record: VmRecord, store: StateStore, providers: ProviderRegistry, events: EventSink): Promise<void> {
  events({ kind: 'phase', vm: record.name, phase: 'stopping' });
  if (record.ref) {
    const options = record.providerOptions;
    const provider = await providers.load(record.provider, options, { log: (message) => events({ kind: 'warning', vm: record.name, message }) });
    await provider.destroy(record.ref);
  }
  await rm(record.dir, { recursive: true, force: true });
  await store.update((state) => void delete state.vms[record.name]);
  events({ kind: 'phase', vm: record.name, phase: 'removed' });
}

async function removeIfEmpty(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => undefined);
  if (entries && entries.length === 0) await rmdir(dir).catch(() => undefined);
}

function qualify(events: EventSink, key: string | undefined): EventSink {
  if (!key) return events;
  return (event) => events(event.vm === undefined ? event : { ...event, vm: `${key}/${event.vm}` });
}

/** The state's own teardown: VMs, file servers, then the recorded lab resources; every failure collected. */
async function removeRecorded(store: StateStore, paths: ReturnType<typeof labPaths>, providers: ProviderRegistry, events: EventSink): Promise<unknown[]> {
  const results = await Promise.allSettled(Object.values(store.current.vms).map((record) => removeVm(record, store, providers, events)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  await stopServers(store, paths).catch((error: unknown) => failures.push(error));
  if (failures.length === 0) failures.push(...(await teardownLabResources(store, providers, events)));
  return failures;
}

/** What still carries the lab's tag in a cloud (an instance a killed `up` never recorded), removed and told. */
async function removeByTag(lab: { name: string; stateDir: string }, plans: ProviderPlan[], providers: ProviderRegistry, events: EventSink): Promise<LabDown['tagged']> {
  const tagged = (await removeTaggedResources(lab, plans, providers)).map((report) => ({ ...report, lab: lab.name }));
  for (const report of tagged) for (const r of report.resources) events({ kind: 'warning', message: `removed ${report.provider} ${r.kind} ${r.id}, found by the lab's tag` });
  return tagged;
}

/** Removes one lab (VMs, file servers, keys, state, what carries its tag) from its state directory and its plan. */
async function downLab(entry: StateDirEntry, options: DownOptions, events: EventSink): Promise<LabDown> {
  const paths = labPaths(entry.dir);
  const onWait = (pid: string) => events({ kind: 'warning', message: `waiting for another atomlab (pid ${pid}) working on this lab to finish` });
  // the lock first, when the lab has a directory: an `up` working on it may not have recorded anything yet
  await using _lock = (await stat(paths.root).then(() => true, () => false)) ? await acquireLabLock(paths.lockFile, { wait: options.wait, onWait }) : undefined;
  const existing = await readState(paths.stateFile).catch((error: unknown) => {
    if (options.force && error instanceof UnreadableStateError) return error;
    throw error;
  });
  if (existing instanceof UnreadableStateError) return { removed: await forceDownLab(paths, existing, options.providers, events), tagged: [], providers: [] };
  const plan = options.plans?.find((candidate) => candidate.stateDir === entry.dir);
  const used = [...providersOfState(existing ?? undefined), ...providersOfPlan(plan)];
  const name = existing?.lab ?? plan?.name;
  if (!existing) {
    await stopServersLoggingUnder(paths.serveDir); // a server whose `up` died before recording it
    await rm(paths.serveDir, { recursive: true, force: true });
    return { removed: [], tagged: name ? await removeByTag({ name, stateDir: entry.dir }, used, options.providers, events) : [], providers: used };
  }
  const store = await StateStore.open(paths.root, existing.lab, existing.scenario);
  const records = Object.values(store.current.vms);
  const failures = await removeRecorded(store, paths, options.providers, events);
  const tagged = failures.length === 0 ? await removeByTag({ name: existing.lab, stateDir: entry.dir }, used, options.providers, events).catch((error: unknown) => void failures.push(error)) : undefined;
  if (failures.length > 0) {
    throw new AtomlabError(`down could not remove everything (${failures.length} VM(s), servers or cloud resources left)`, {
      code: 'FAILED',
      cause: new AggregateError(failures),
      hint: failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; '),
    });
  }
  await rm(paths.keysDir, { recursive: true, force: true });
  await rm(paths.stateFile, { force: true });
  await removeStaleTemporaries(paths.root); // half-written state or progress of a killed atomlab
  await removeIfEmpty(`${paths.root}/vms`);
  return { removed: records.map((r) => (entry.combinationKey ? `${entry.combinationKey}/${r.name}` : r.name)), tagged: tagged ?? [], providers: used };
}

/** State directories to take down: those on disk, and those of the scenario's labs (whose state may be gone). */
async function downTargets(file: string, plans: LabPlan[] | undefined): Promise<StateDirEntry[]> {
  const entries = await labStateDirs(file);
  const planned = (plans ?? []).filter((plan) => !entries.some((entry) => entry.dir === plan.stateDir)).map((plan) => ({ dir: plan.stateDir, combinationKey: plan.combinationKey }));
  return [...entries, ...planned];
}

/**
 * Removes everything the scenario's labs made (VMs, disks, seeds, sockets, file servers, keys,
 * state; every matrix combination's too; in clouds, whatever carries a lab's tag); the image
 * cache stays, and uploaded cloud images stay unless `images`. Idempotent. Works from the state
 * alone when the scenario file no longer validates (`plans` absent). Every lab and VM is
 * attempted; all failures are reported together.
 */
export async function down(file: string, options: DownOptions): Promise<DownResult> {
  const events = options.events ?? ignoreEvents;
  const entries = await downTargets(file, options.plans);
  const results = await Promise.allSettled(entries.map((entry) => downLab(entry, options, qualify(events, entry.combinationKey))));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 0) await rm(labPaths(labStateDir(file)).progressFile, { force: true }).then(() => removeStaleTemporaries(labStateDir(file)));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AtomlabError(`down could not remove ${failures.length} of the matrix's labs`, { code: 'FAILED', cause: new AggregateError(failures), hint: failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; ') });
  const labs = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const images = options.images ? await removeProviderImages(labs.flatMap((lab) => lab.providers), options.providers) : undefined;
  return { removed: labs.flatMap((lab) => lab.removed), tagged: labs.flatMap((lab) => lab.tagged), ...(images ? { images } : {}) };
}

/** After the locks are released: remove empty matrix directories, then .atomlab itself, when nothing else is in them. */
export async function removeStateDirIfEmpty(file: string): Promise<void> {
  for (const entry of await labStateDirs(file)) if (entry.combinationKey) await removeIfEmpty(entry.dir);
  await removeIfEmpty(join(labStateDir(file), 'matrix'));
  await removeIfEmpty(labStateDir(file));
}
