import { AtomlabError, isNoSpace } from '../errors/index.js';
import type { VmPlan } from '../plan/index.js';
import { SshError } from '../ssh/index.js';
import { bringUp, type VmOutcome } from './vm-pipeline.js';
import type { LabSession } from './lab-session.js';

/** What happened to one VM across its attempts. */
export interface Attempts {
  outcome: VmOutcome;
  /** Why earlier attempts failed. */
  failed: string[];
}

/** Errors another attempt cannot fix: bad input, a missing tool, Ctrl-C, a full disk; and a host-key mismatch, never worked around. */
function retryable(error: unknown, session: LabSession): boolean {
  if (session.signal.aborted) return false;
  if (error instanceof SshError && error.failure === 'host-key-mismatch') return false;
  if (isNoSpace(error)) return false; // a full disk stays full
  return !(error instanceof AtomlabError && ['BAD_INPUT', 'SCENARIO_INVALID', 'MISSING_TOOL', 'INTERRUPTED'].includes(error.code));
}

/** One VM, recreated and tried again after a failure, up to `retries` times (with `recreate`, made anew from the start); the others carry on. */
export async function withRetries(session: LabSession, plan: VmPlan, retries: number, options: { recreate?: boolean } = {}): Promise<Attempts> {
  const failed: string[] = [];
  for (let attempt = 0; ; attempt++) {
    const lastAttempt = attempt >= retries;
    try {
      return { outcome: await bringUp(session, plan, { recreate: attempt > 0 || options.recreate, lastAttempt }), failed };
    } catch (error) {
      if (lastAttempt || !retryable(error, session)) throw Object.assign(error as object, { earlierAttempts: failed });
      failed.push(error instanceof Error ? error.message : String(error));
      session.events({ kind: 'progress', vm: plan.name, detail: `attempt ${attempt + 1} failed; recreating it (attempt ${attempt + 2} of ${retries + 1})` });
    }
  }
}

/** Earlier failures of a VM, from its settled attempts (a rejection carries them too). */
export function earlierFailures(result: PromiseSettledResult<Attempts>): Partial<Attempts> {
  return result.status === 'fulfilled' ? result.value : { failed: (result.reason as { earlierAttempts?: string[] }).earlierAttempts ?? [] };
}
