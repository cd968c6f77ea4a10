import { readdir, rm, rmdir } from 'node:fs/promises';
import { AtomlabError } from '../errors/index.js';
import { loadProvider } from '../provider/index.js';
import type { ProviderName } from '../scenario/index.js';
import { acquireLabLock, labPaths, labStateDir, readState, StateStore, type VmRecord } from '../state/index.js';
import { ignoreEvents, type EventSink } from './events.js';

export interface DownOptions {
  events?: EventSink;
}

export interface DownResult {
  removed: string[];
}

async function removeVm(record: VmRecord, store: StateStore, events: EventSink): Promise<void> {
  events({ kind: 'phase', vm: record.name, phase: 'stopping' });
  if (record.ref) {
    const options = record.providerOptions;
    const provider = await loadProvider(record.provider as ProviderName, options, { log: (message) => events({ kind: 'warning', vm: record.name, message }) });
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

/**
 * Removes everything the lab made (VMs, disks, seeds, sockets, keys, state); the image cache
 * stays. Idempotent. Reads only the state, so it works when the scenario file no longer
 * validates. Every VM is attempted; all failures are reported together.
 */
export async function down(file: string, options: DownOptions = {}): Promise<DownResult> {
  const paths = labPaths(labStateDir(file));
  const existing = await readState(paths.stateFile);
  if (!existing) return { removed: [] };
  await using _lock = await acquireLabLock(paths.lockFile);
  const store = await StateStore.open(paths.root, existing.lab, existing.scenario);
  const records = Object.values(store.current.vms);
  const events = options.events ?? ignoreEvents;
  const results = await Promise.allSettled(records.map((record) => removeVm(record, store, events)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    throw new AtomlabError(`down could not remove everything (${failures.length} VM(s) left)`, {
      code: 'FAILED',
      cause: new AggregateError(failures),
      hint: failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; '),
    });
  }
  await rm(paths.keysDir, { recursive: true, force: true });
  await rm(paths.stateFile, { force: true });
  await removeIfEmpty(`${paths.root}/vms`);
  return { removed: records.map((r) => r.name) };
}

/** After the lock is released: remove .atomlab itself when nothing else is in it. */
export async function removeStateDirIfEmpty(file: string): Promise<void> {
  await removeIfEmpty(labStateDir(file));
}
