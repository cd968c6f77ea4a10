import { AtomlabError } from '../errors/index.js';
import type { StepPlan } from '../plan/index.js';
import { EXECUTORS } from './executors.js';
import type { Guest } from './guest.js';
import type { StepResult, StepEventSink } from './results.js';
import type { StepContext, StepExecutor } from './step-context.js';
import { StepFailure } from './step-failure.js';

export interface RunStepsOptions {
  steps: StepPlan[];
  guests: Map<string, Guest>;
  events?: StepEventSink;
  signal?: AbortSignal;
  /** Replaces the executors (tests). */
  executors?: Partial<Record<StepPlan['action']['kind'], StepExecutor>>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs one step on one VM with its timeout; never throws: a failure becomes the result. */
async function runOne(step: StepPlan, guest: Guest, options: RunStepsOptions): Promise<StepResult> {
  const started = Date.now();
  let last: string | undefined;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timedOut = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => {
      controller.abort();
      reject(new StepFailure(`timed out after ${Math.round(step.timeoutMs / 1000)} s${last ? ` (last: ${last})` : ''}`, {}, 'raise the step\'s timeout, or look at the console lines'));
    }, step.timeoutMs);
    controller.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });
  const ctx: StepContext = {
    guest,
    step,
    signal: controller.signal,
    remaining: () => step.timeoutMs - (Date.now() - started),
    progress: (detail) => {
      last = detail;
      options.events?.({ kind: 'step-progress', step: step.index, vm: guest.vm, detail });
    },
  };
  const executor = options.executors?.[step.action.kind] ?? EXECUTORS[step.action.kind];
  const base = { step: step.index, name: step.name, kind: step.action.kind, vm: guest.vm };
  try {
    const outcome = await Promise.race([executor(ctx), timedOut]);
    return { ...base, status: 'passed', durationMs: Date.now() - started, detail: outcome.detail, output: outcome.output };
  } catch (error) {
    const interrupted = options.signal?.aborted ?? false;
    const failureMessage = interrupted ? 'interrupted' : message(error);
    const hint = error instanceof AtomlabError ? error.hint : undefined;
    const output = error instanceof StepFailure ? error.output : undefined;
    return { ...base, status: 'failed', durationMs: Date.now() - started, output, failure: { message: failureMessage, hint, consoleTail: guest.consoleTail() } };
  } finally {
    timedOut.catch(() => undefined);
    controller.abort();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs steps in order, the VMs of one step in parallel. Like a test runner, a failure does not
 * stop the run: later steps of the VM whose step failed are reported as skipped (its state is
 * unknown), other VMs go on. An interrupt skips everything not yet started.
 */
export async function runSteps(options: RunStepsOptions): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const failedOn = new Map<string, string>();
  for (const step of options.steps) {
    options.events?.({ kind: 'step-start', step: step.index, name: step.name, vms: step.vms });
    const outcomes = await Promise.all(step.vms.map((vm) => stepOnVm(step, vm, failedOn, options)));
    for (const result of outcomes) {
      if (result.status === 'failed' && !failedOn.has(result.vm)) failedOn.set(result.vm, `${result.step}. ${result.name}`);
      results.push(result);
      options.events?.({ kind: 'step-result', result });
    }
    options.events?.({ kind: 'step-end', step: step.index, failed: outcomes.some((r) => r.status === 'failed') });
  }
  return results;
}

function skipped(step: StepPlan, vm: string, why: string): StepResult {
  return { step: step.index, name: step.name, kind: step.action.kind, vm, status: 'skipped', durationMs: 0, detail: why };
}

async function stepOnVm(step: StepPlan, vm: string, failedOn: Map<string, string>, options: RunStepsOptions): Promise<StepResult> {
  if (options.signal?.aborted) return skipped(step, vm, 'the run was interrupted');
  const earlier = failedOn.get(vm);
  if (earlier) return skipped(step, vm, `an earlier step failed on ${vm}: ${earlier}`);
  const guest = options.guests.get(vm);
  if (!guest) {
    const failure = { message: `${vm} is not up: atomlab up could not bring it to a verified login`, consoleTail: [] };
    return { step: step.index, name: step.name, kind: step.action.kind, vm, status: 'failed', durationMs: 0, failure };
  }
  return runOne(step, guest, options);
}
