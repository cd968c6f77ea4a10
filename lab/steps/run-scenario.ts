import { readFile } from 'node:fs/promises';
import { openLab, readSecrets, up, type EventSink, type LabSession } from '../engine/index.js';
import { LabGuest } from './guest.js';
import { totals, type RunReport, type StepEventSink } from './results.js';
import { runSteps } from './run-steps.js';

export interface RunScenarioOptions {
  /** Events of bringing the lab up. */
  events?: EventSink;
  stepEvents?: StepEventSink;
  signal?: AbortSignal;
  parallel?: number;
}

export interface RunScenarioResult {
  report: RunReport;
  /** VMs `up` could not bring to a verified login (their steps fail). */
  upFailures: { vm: string; error: unknown }[];
}

/** A guest for every VM of the lab that is up with a verified login. */
async function labGuests(session: LabSession): Promise<Map<string, LabGuest>> {
  const privateKey = await readFile(session.paths.privateKey, 'utf8');
  const guests = new Map<string, LabGuest>();
  for (const plan of session.plan.vms) {
    const record = session.store.current.vms[plan.name];
    if (!record?.ref || !record.login?.verified) continue;
    const provider = await session.provider(plan.provider);
    if ((await provider.state(record.ref)) !== 'running') continue;
    const ref = record.ref;
    const secrets = await readSecrets(record.dir);
    const ready = { vm: plan.name, endpoint: () => provider.endpoint(ref), user: plan.login.user, privateKey, hostKey: record.hostKey, password: secrets?.password, hostname: plan.hostname };
    guests.set(plan.name, new LabGuest({ ready, provider, ref }));
  }
  return guests;
}

/**
 * `atomlab run`: brings the lab up where needed (the same `up`), then runs the scenario's
 * steps while holding the lab's lock, and returns the report.
 */
export async function runScenario(file: string, options: RunScenarioOptions = {}): Promise<RunScenarioResult> {
  const upResult = await up(file, { events: options.events, signal: options.signal, parallel: options.parallel });
  return { report: await runLabSteps(file, options), upFailures: upResult.failures };
}

/** The steps alone, on a lab that is up (VMs not up fail their steps). */
export async function runLabSteps(file: string, options: Pick<RunScenarioOptions, 'stepEvents' | 'signal'> = {}): Promise<RunReport> {
  await using session = await openLab(file, { signal: options.signal });
  const guests = await labGuests(session);
  for (const guest of guests.values()) guest.watchConsole();
  const startedAt = new Date();
  try {
    const results = await runSteps({ steps: session.plan.steps, guests, events: options.stepEvents, signal: options.signal });
    return { lab: session.plan.name, scenario: session.plan.file, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), totals: totals(results), results };
  } finally {
    await Promise.all([...guests.values()].map((guest) => guest.close()));
  }
}
