import { createHash } from 'node:crypto';
import type { LabPlan, ProviderPlan, VmPlan } from '../plan/index.js';
import type { Provider, ProviderRegistry } from '../provider/index.js';
import { StateStore, acquireLabLock, labPaths, type LabPaths } from '../state/index.js';
import { ignoreEvents, type EventSink } from './events.js';

/** One command's hold on a lab: its plan, state, lock and providers. Dispose to release. */
export interface LabSession extends AsyncDisposable {
  plan: LabPlan;
  paths: LabPaths;
  store: StateStore;
  events: EventSink;
  signal: AbortSignal;
  provider(plan: ProviderPlan): Promise<Provider>;
}

export interface SessionOptions {
  /** The providers this atomlab has (providers/registry.ts, handed down from the CLI). */
  providers: ProviderRegistry;
  events?: EventSink;
  signal?: AbortSignal;
  /** False: refuse at once when another atomlab holds the lab (`--no-wait`); default: wait for it. */
  wait?: boolean;
}

/** A provider per name and options, built once per session. */
function providerCache(providers: ProviderRegistry, events: EventSink): (plan: ProviderPlan) => Promise<Provider> {
  const cache = new Map<string, Promise<Provider>>();
  return (plan) => {
    const key = `${plan.name}:${JSON.stringify(plan.options)}`;
    let provider = cache.get(key);
    if (!provider) {
      provider = providers.load(plan.name, plan.options, { log: (message) => events({ kind: 'warning', message }) });
      cache.set(key, provider);
    }
    return provider;
  };
}

/** Opens one lab of a loaded scenario (`loadScenario(file).plans`): takes its lock and state. */
export async function openLabPlan(plan: LabPlan, options: SessionOptions): Promise<LabSession> {
  const paths = labPaths(plan.stateDir);
  const events = options.events ?? ignoreEvents;
  const onWait = (pid: string) => events({ kind: 'warning', message: `waiting for another atomlab (pid ${pid}) working on lab ${plan.name} to finish` });
  const lock = await acquireLabLock(paths.lockFile, { wait: options.wait, onWait, signal: options.signal });
  try {
    const store = await StateStore.open(plan.stateDir, plan.name, plan.file);
    const signal = options.signal ?? new AbortController().signal;
    events({ kind: 'held', lab: plan.name });
    return { plan, paths, store, events, signal, provider: providerCache(options.providers, events), [Symbol.asyncDispose]: () => lock.release() };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** A stable hash of what a VM was made from, to notice a changed scenario. */
export function planHash(plan: VmPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
}
