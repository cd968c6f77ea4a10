import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomlabError } from '../errors/index.js';
import type { Provider } from '../provider/index.js';
import type { ServePlan, VmPlan } from '../plan/index.js';
import { serverAlive, startServer, stopServer, stopServersLoggingUnder, type ServerProcess } from '../serve/index.js';
import type { LabPaths, LabState, StateStore } from '../state/index.js';
import type { ServeReport } from './lab-report.js';
import { fillDeferred, templateNames } from '../template/index.js';
import type { LabSession } from './lab-session.js';

/** Where the lab's file servers listen: loopback only; guests reach it through their provider. */
const LISTEN = '127.0.0.1';

/** A running server for one serve entry: the recorded one if alive, else a new one on the same port. */
async function ensureServer(session: LabSession, plan: ServePlan): Promise<ServerProcess> {
  if (!(await stat(plan.path).then((info) => info.isDirectory(), () => false))) {
    throw new AtomlabError(`serve "${plan.name}": directory ${plan.path} does not exist`, {
      code: 'BAD_INPUT',
      hint: 'create it (an update repository: images/recipes/tiny/publish-update DIR --version N) or fix serve[].path',
    });
  }
  const recorded = session.store.current.serve?.[plan.name];
  if (recorded && recorded.root === plan.path && (await serverAlive(recorded))) return recorded;
  if (recorded) await stopServer(recorded);
  const options = { root: plan.path, host: LISTEN, logFile: join(session.paths.serveDir, `${plan.name}.log`) };
  // seeds already written point at the recorded port: then only that port will do
  const seedsWritten = Object.keys(session.store.current.vms).length > 0;
  const server = await startServer({ ...options, port: recorded?.port }).catch((error: unknown) => {
    if (!recorded || seedsWritten) throw error;
    return startServer(options);
  });
  await session.store.update((state) => void ((state.serve ??= {})[plan.name] = server));
  return server;
}

/**
 * Brings up the lab's file servers before any seed is written, reusing live ones; stops servers
 * of serve names the scenario no longer has.
 */
export async function ensureServers(session: LabSession): Promise<void> {
  for (const plan of session.plan.serve) await ensureServer(session, plan);
  const stale = Object.keys(session.store.current.serve ?? {}).filter((name) => !session.plan.serve.some((p) => p.name === name));
  for (const name of stale) {
    await stopServer(session.store.current.serve![name]!);
    await session.store.update((state) => void delete state.serve![name]);
  }
}

/** True when a VM's cloud-config or meta-data refers to a served directory. */
export function usesServe(vm: VmPlan): boolean {
  return templateNames(JSON.stringify([vm.cloudConfig, vm.metaData])).some((name) => name.startsWith('serve.'));
}

/**
 * The lab's served URLs as one VM sees them (`{serve name: url}`): for seeds now, and for the
 * steps runner (fill step strings with `fillServeUrls`). The servers must be running (`up`).
 */
export async function serveUrlsForVm(session: Pick<LabSession, 'plan' | 'store'>, vm: VmPlan, provider: Provider): Promise<Record<string, string>> {
  if (session.plan.serve.length === 0) return {};
  if (!provider.hostAddressForGuest) {
    throw new AtomlabError(`the ${provider.name} provider cannot say how its guests reach files served on this machine`, { code: 'BAD_INPUT', context: { vm: vm.name, provider: provider.name } });
  }
  const host = await provider.hostAddressForGuest(vm);
  const urls: Record<string, string> = {};
  for (const { name } of session.plan.serve) {
    const server = session.store.current.serve?.[name];
    if (!server) throw new AtomlabError(`the lab's file server "${name}" is not running`, { code: 'FAILED', hint: 'run atomlab up first' });
    urls[name] = `http://${host}:${server.port}`;
  }
  return urls;
}

/** Fills `{{serve.NAME}}` in a value (a string, or cloud-config data) with the URLs; other braces stay as they are. */
export function fillServeUrls<T>(value: T, urls: Record<string, string>): T {
  const filled = fillDeferred(value, Object.fromEntries(Object.entries(urls).map(([name, url]) => [`serve.${name}`, url])));
  const left = templateNames(JSON.stringify(filled) ?? '').filter((name) => name.startsWith('serve.'));
  if (left.length > 0) {
    throw new AtomlabError(`no served directory for ${left.map((name) => `{{${name}}}`).join(', ')}`, { code: 'BAD_INPUT', hint: 'served URLs are known only to labs brought up with atomlab up' });
  }
  return filled;
}

/** Stops every file server of the lab (recorded, or orphaned by a crash) and forgets them. */
export async function stopServers(store: StateStore, paths: LabPaths): Promise<void> {
  for (const server of Object.values(store.current.serve ?? {})) await stopServer(server);
  await stopServersLoggingUnder(paths.serveDir);
  if (store.current.serve) await store.update((state) => void delete state.serve);
  await rm(paths.serveDir, { recursive: true, force: true });
}

/** The lab's served directories for reports: where this machine reaches them, and whether they run. */
export async function serveReports(serve: ServePlan[], state: LabState | undefined): Promise<ServeReport[] | undefined> {
  const names = [...new Set([...serve.map((s) => s.name), ...Object.keys(state?.serve ?? {})])];
  if (names.length === 0) return undefined;
  return Promise.all(
    names.map(async (name) => {
      const server = state?.serve?.[name];
      const path = server?.root ?? serve.find((s) => s.name === name)!.path;
      return { name, path, url: server ? `http://${server.host}:${server.port}` : '', running: server ? await serverAlive(server) : false };
    }),
  );
}
