import { rebootGuest } from './boot-id.js';
import { describeDeployment, ostreeStatus, type Deployment, type OstreeStatus } from './ostree-status.js';
import type { StepExecutor } from './step-context.js';
import { StepFailure } from './step-failure.js';

const ROLLBACK = 'sudo -n rpm-ostree rollback';

/**
 * The deployment rollback boots: the one after the booted one when the booted one is the
 * default, else (an upgrade is pending) the booted one stays.
 */
export function rollbackTarget(status: OstreeStatus): Deployment | undefined {
  const [first, second] = status.deployments;
  if (!first || !second) return undefined;
  return first.id === status.booted.id ? second : status.booted;
}

/** `rollback`: rpm-ostree rollback, reboot, the previously booted deployment is booted again. */
export const rollbackStep: StepExecutor = async (ctx) => {
  const before = await ostreeStatus(ctx.guest, ctx.signal);
  const target = rollbackTarget(before);
  if (!target) throw new StepFailure(`nothing to roll back to: only ${describeDeployment(before.booted)} is deployed`);
  const result = await ctx.guest.exec(ROLLBACK, { timeoutMs: ctx.remaining(), signal: ctx.signal });
  const output = { command: ROLLBACK, exitCode: result.code, stdout: result.stdout, stderr: result.stderr };
  if (result.code !== 0) throw new StepFailure(`rpm-ostree rollback exited ${String(result.code)}`, output);
  await rebootGuest(ctx.guest, { timeoutMs: ctx.remaining(), signal: ctx.signal, onProgress: ctx.progress });
  const after = await ostreeStatus(ctx.guest, ctx.signal);
  if (after.booted.id !== target.id) throw new StepFailure(`booted ${describeDeployment(after.booted)} after rollback, expected ${describeDeployment(target)}`, output);
  return { detail: `${describeDeployment(before.booted)} → ${describeDeployment(after.booted)}`, output };
};
