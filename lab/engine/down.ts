import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomlabError } from '../errors/index.js';
import type { ProviderRegistry } from '../provider/index.js';
import { stopServersLoggingUnder } from '../serve/index.js';
import { acquireLabLock, labPaths, labStateDir, labStateDirs, readState, StateStore, UnreadableStateError, type StateDirEntry, type VmRecord } from '../state/index.js';
import { ignoreEvents, type EventSink } from './events.js';
import { forceDownLab } from './force-down.js';
import { teardownLabResources } from './lab-resources.js';
import { stopServers } from './lab-servers.js';

export interface DownOptions {
  providers: ProviderRegistry;
  events?: EventSink;
  /** False: refuse at once when another atomlab holds the lab (`--no-wait`); default: wait for it. */
  wait?: boolean;
  /** Remove what can be found when the state file cannot be read (`down --force`). */
  force?: boolean;
}

export interface DownResult {
  /** The VMs removed; in a matrix, named `<combination>/<vm>`. */
  removed: string[];
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

/** Removes one lab (VMs, file servers, keys, state) from its state directory alone. */
async function downLab(entry: StateDirEntry, options: DownOptions, events: EventSink): Promise<string[]> {
  const { providers } = options;
  const paths = labPaths(entry.dir);
  const onWait = (pid: string) => events({ kind: 'warning', message: `waiting for another atomlab (pid ${pid}) working on this lab to finish` });
  if (!(await stat(paths.root).then(() => true, () => false))) return [];
  // the lock first: an `up` working on the lab may not have recorded anything yet
  await using _lock = await acquireLabLock(paths.lockFile, { wait: options.wait, onWait });
  const existing = await readState(paths.stateFile).catch((error: unknown) => {
    if (options.force && error instanceof UnreadableStateError) return error;
    throw error;
  });
  if (existing instanceof UnreadableStateError) return forceDownLab(paths, existing, providers, events);
  if (!existing) {
    await stopServersLoggingUnder(paths.serveDir); // a server whose `up` died before recording it
    await rm(paths.serveDir, { recursive: true, force: true });
    return [];
  }
  const store = await StateStore.open(paths.root, existing.lab, existing.scenario);
  const records = Object.values(store.current.vms);
  const results = await Promise.allSettled(records.map((record) => removeVm(record, store, providers, events)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  await stopServers(store, paths).catch((error: unknown) => failures.push(error));
  if (failures.length === 0) failures.push(...(await teardownLabResources(store, providers, events)));
  if (failures.length > 0) {
    throw new AtomlabError(`down could not remove everything (${failures.length} VM(s) or servers left)`, {
      code: 'FAILED',
      cause: new AggregateError(failures),
      hint: failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; '),
    });
  }
  await rm(paths.keysDir, { recursive: true, force: true });
  await rm(paths.stateFile, { force: true });
  await removeIfEmpty(`${paths.root}/vms`);
  return records.map((r) => (entry.combinationKey ? `${entry.combinationKey}/${r.name}` : r.name));
}

/**
 * Removes everything the scenario's labs made (VMs, disks, seeds, sockets, file servers, keys,
 * state; every matrix combination's too); the image cache stays. Idempotent. Reads only the
 * state, so it works when the scenario file no longer validates. Every lab and VM is
 * attempted; all failures are reported together.
 */
export async function down(file: string, options: DownOptions): Promise<DownResult> {
  const events = options.events ?? ignoreEvents;
  const entries = await labStateDirs(file);
  const results = await Promise.allSettled(entries.map((entry) => downLab(entry, options, qualify(events, entry.combinationKey))));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 0) await rm(labPaths(labStateDir(file)).progressFile, { force: true });
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AtomlabError(`down could not remove ${failures.length} of the matrix's labs`, { code: 'FAILED', cause: new AggregateError(failures), hint: failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; ') });
  return { removed: results.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])) };
}

/** After the locks are released: remove empty matrix directories, then .atomlab itself, when nothing else is in them. */
export async function removeStateDirIfEmpty(file: string): Promise<void> {
  for (const entry of await labStateDirs(file)) if (entry.combinationKey) await removeIfEmpty(entry.dir);
  await removeIfEmpty(join(labStateDir(file), 'matrix'));
  await removeIfEmpty(labStateDir(file));
}
