import { readFile } from 'node:fs/promises';
import { fillServeUrls, openLabPlan, qualifiedName, readSecrets, serveUrlsForVm, up, type EventSink, type LabSession } from '../engine/index.js';
import type { LabPlan } from '../plan/index.js';
import type { ProviderRegistry } from '../provider/index.js';
import type { LoadedScenario } from '../scenario/index.js';
import { LabGuest } from './guest.js';
import { totals, type RunReport, type StepEventSink } from './results.js';
import { runSteps } from './run-steps.js';

export interface RunScenarioOptions {
  providers: ProviderRegistry;
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
    const ready = { vm: plan.name, endpoint: () => provider.endpoint(ref), user: plan.login.user, privateKey, hostKey: record.hostKey, password: secrets?.password, hostname: plan.hostname, firstBoot: plan.image.config };
    guests.set(plan.name, new LabGuest({ ready, provider, ref }));
  }
  return guests;
}

/**
 * `atomlab run`: brings the lab up where needed (the same `up`), then runs the scenario's
 * steps while holding the lab's lock, and returns the report.
 */
export async function runScenario(loaded: LoadedScenario, options: RunScenarioOptions): Promise<RunScenarioResult> {
  const upResult = await up(loaded, { providers: options.providers, events: options.events, signal: options.signal, parallel: options.parallel });
  return { report: await runLabSteps(loaded, options), upFailures: upResult.failures };
}

/** `{{serve.NAME}}` in step strings: the served URLs as the lab's first VM sees them (the same for every VM on user networking). */
async function stepsWithUrls(session: LabSession): Promise<LabPlan['steps']> {
  const vm = session.plan.vms[0];
  if (!vm || session.plan.serve.length === 0) return session.plan.steps;
  return fillServeUrls(session.plan.steps, await serveUrlsForVm(session, vm, await session.provider(vm.provider)));
}

/** One lab's steps (a plain scenario, or one matrix combination). */
async function runPlanSteps(plan: LabPlan, options: Pick<RunScenarioOptions, 'providers' | 'stepEvents' | 'signal'>): Promise<RunReport> {
  await using session = await openLabPlan(plan, { providers: options.providers, signal: options.signal });
  const guests = await labGuests(session);
  for (const guest of guests.values()) guest.watchConsole();
  const startedAt = new Date();
  try {
    const steps = await stepsWithUrls(session);
    const results = await runSteps({ steps, guests, events: options.stepEvents, signal: options.signal });
    return { lab: plan.name, scenario: plan.file, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), totals: totals(results), results };
  } finally {
    await Promise.all([...guests.values()].map((guest) => guest.close()));
  }
}

/**
 * The steps alone, on a lab that is up (VMs not up fail their steps). A matrix runs them in
 * each combination in turn; its report names VMs `<combination>/<vm>`, so JUnit groups by them.
 */
export async function runLabSteps(loaded: LoadedScenario, options: Pick<RunScenarioOptions, 'providers' | 'stepEvents' | 'signal'>): Promise<RunReport> {
  const { plans, scenario } = loaded;
  const reports: RunReport[] = [];
  for (const plan of plans) {
    const report = await runPlanSteps(plan, options);
    reports.push({ ...report, results: report.results.map((result) => ({ ...result, vm: qualifiedName(plan, result.vm) })) });
  }
  if (reports.length === 1) return reports[0]!;
  const results = reports.flatMap((report) => report.results);
  const durationMs = reports.reduce((total, report) => total + report.durationMs, 0);
  return { lab: scenario.name, scenario: plans[0]!.file, startedAt: reports[0]!.startedAt, durationMs, totals: totals(results), results };
}
