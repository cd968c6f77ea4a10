/**
 * Everything the dashboard asks of the engine, in one place: reading a lab as it is now, and
 * the changing actions (reset, revert, recreate). The rest of lab/dashboard/ sees plain data.
 */
import { readFile } from 'node:fs/promises';
import { pidAlive } from '../files/index.js';
import { findVm, readSecrets, status, up, type FoundVm, type LabEvent, type VmReport } from '../engine/index.js';
import { hasSnapshots, type ProviderRegistry, type VmRef } from '../provider/index.js';
import { loadScenario } from '../scenario/index.js';
import { readProgress, type LabProgress } from '../progress/index.js';
import { readBootId, resetGuest, LabGuest } from '../steps/index.js';
import { labPaths, labStateDir, labStateDirs, readState, type VmRecord } from '../state/index.js';

/** The lab the dashboard shows: its scenario file, and the providers this atomlab has. */
export interface LabRef {
  file: string;
  providers: ProviderRegistry;
}

/** One VM as the page shows it. */
export interface VmView extends VmReport {
  /** `<combination>/<vm>` in a matrix, else the name. */
  id: string;
  password?: string;
  ref?: VmRef;
}

export interface LabView {
  lab: string;
  scenario: string;
  vms: VmView[];
  combinations?: { key: string; values: Record<string, string>; lab: string }[];
  serve?: { name: string; url: string; running: boolean }[];
  progress?: LabProgress;
  /** Why the lab cannot be read (an invalid scenario), shown instead of cards. */
  error?: string;
}

async function records(file: string): Promise<Map<string, VmRecord>> {
  const found = new Map<string, VmRecord>();
  for (const entry of await labStateDirs(file)) {
    const state = await readState(labPaths(entry.dir).stateFile).catch(() => undefined);
    for (const record of Object.values(state?.vms ?? {})) found.set(entry.combinationKey ? `${entry.combinationKey}/${record.name}` : record.name, record);
  }
  return found;
}

/** The last `up`/`run`'s progress; one without an outcome whose process is gone was killed. */
async function labProgress(file: string): Promise<LabProgress | undefined> {
  const progress = await readProgress(labPaths(labStateDir(file)).progressFile);
  if (progress && !progress.outcome && !(await pidAlive(progress.pid))) return { ...progress, outcome: 'killed' };
  return progress;
}

/** Why the dashboard must not change the lab now: another atomlab's `up` or `run` is working on it. */
export async function labBusy(file: string): Promise<string | undefined> {
  const progress = await labProgress(file);
  if (!progress || progress.outcome || progress.pid === process.pid) return undefined;
  return `atomlab ${progress.command} (pid ${progress.pid}) is working on the lab: wait for it to finish`;
}

/** The lab as `status` sees it (provider state included), with passwords and references added. */
export async function readLab({ file, providers }: LabRef): Promise<LabView> {
  const report = await status(await loadScenario(file, { providers }), { providers });
  const known = await records(file);
  const vms = await Promise.all(
    report.vms.map(async (vm) => {
      const id = vm.combination ? `${vm.combination}/${vm.name}` : vm.name;
      const record = known.get(id);
      const secrets = record ? await readSecrets(record.dir).catch(() => undefined) : undefined;
      return { ...vm, id, password: secrets?.password, ref: record?.ref };
    }),
  );
  const progress = await labProgress(file);
  const combinations = report.combinations?.map(({ key, values, lab }) => ({ key, values, lab }));
  const serve = report.serve?.map(({ name, url, running }) => ({ name, url, running }));
  return { lab: report.lab, scenario: report.scenario, vms, ...(combinations ? { combinations } : {}), ...(serve ? { serve } : {}), ...(progress ? { progress } : {}) };
}

/** Serial console lines of a VM as they arrive (since it started), until the signal aborts. */
export async function* consoleLines(lab: LabRef, id: string, signal: AbortSignal): AsyncIterable<string> {
  const { provider, record } = await findVm(lab.file, id, lab.providers);
  yield* provider.console(record.ref, signal);
}

/** The VM's named snapshots (none when its provider cannot take them). */
export async function listSnapshots(lab: LabRef, id: string): Promise<string[]> {
  const { provider, record } = await findVm(lab.file, id, lab.providers);
  return hasSnapshots(provider) ? provider.listSnapshots(record.ref) : [];
}

async function guestOf(found: FoundVm): Promise<LabGuest> {
  const { record, provider } = found;
  const privateKey = await readFile(found.paths.privateKey, 'utf8');
  const secrets = await readSecrets(record.dir);
  const user = record.ssh?.user ?? 'root';
  const ready = { vm: record.name, endpoint: () => provider.endpoint(record.ref), user, privateKey, hostKey: record.hostKey, password: secrets?.password, hostname: record.login?.hostname ?? record.name };
  return new LabGuest({ ready, provider, ref: record.ref });
}

export type Progress = (detail: string) => void;

/** The reset button, proven like the `reset` step: a new boot_id and a verified login again. */
export async function resetVm(lab: LabRef, id: string, progress: Progress, signal: AbortSignal): Promise<string> {
  const found = await findVm(lab.file, id, lab.providers);
  const guest = await guestOf(found);
  try {
    progress('reading boot_id');
    const before = await readBootId(guest, signal);
    await resetGuest(guest, before, { timeoutMs: 10 * 60_000, signal, onProgress: progress });
    const after = await readBootId(guest, signal);
    return `booted again: boot_id ${before} → ${after}`;
  } finally {
    await guest.close();
  }
}

/** Back to a named snapshot, then a verified login again (like the `revert` step). */
export async function revertVm(lab: LabRef, id: string, snapshot: string, progress: Progress, signal: AbortSignal): Promise<string> {
  const found = await findVm(lab.file, id, lab.providers);
  const { provider, record } = found;
  if (!hasSnapshots(provider)) throw new Error(`the ${provider.name} provider cannot take snapshots`);
  progress(`reverting to ${snapshot}`);
  await provider.revert(record.ref, snapshot);
  if ((await provider.state(record.ref)) !== 'running') return `back at snapshot ${snapshot} (stopped)`;
  const guest = await guestOf(found);
  try {
    progress('verifying the login');
    await guest.verifyLogin({ timeoutMs: 5 * 60_000, signal, onStage: (stage, note) => progress(`${stage} ok${note ? `: ${note}` : ''}`) });
  } finally {
    await guest.close();
  }
  return `back at snapshot ${snapshot}; login verified`;
}

/** Destroys the VM and makes it anew through `up` (the path of `up --retries`), with its retries. */
export async function recreateVm({ file, providers }: LabRef, id: string, progress: Progress, signal: AbortSignal): Promise<string> {
  const [combination, name] = id.includes('/') ? (id.split('/', 2) as [string, string]) : [undefined, id];
  const loaded = await loadScenario(file, { providers });
  const report = await status(loaded, { providers });
  const values = report.combinations?.find((c) => c.key === combination)?.values;
  const combinations = values ? Object.entries(values).map(([key, value]) => `${key}=${value}`) : undefined;
  const events = (event: LabEvent) => {
    if ((event.kind === 'phase' || event.kind === 'progress') && event.vm === id) progress(event.kind === 'phase' ? `${event.phase}${event.detail ? `: ${event.detail}` : ''}` : event.detail);
  };
  const result = await up(loaded, { providers, only: [name], combinations, recreate: true, events, signal });
  const failure = result.failures.find((f) => f.vm === id || f.vm.endsWith('/*'));
  if (failure) throw failure.error instanceof Error ? failure.error : new Error(String(failure.error));
  return 'made anew; login verified';
}
