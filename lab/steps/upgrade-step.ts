import { readBootId, rebootGuest, resetGuest } from './boot-id.js';
import { describeDeployment, ostreeStatus, type OstreeStatus } from './ostree-status.js';
import type { StepContext, StepExecutor, StepOutcome } from './step-context.js';
import { StepFailure, type StepOutput } from './step-failure.js';

const UPGRADE = 'sudo -n rpm-ostree upgrade';

function checkUpgraded(before: OstreeStatus, after: OstreeStatus, version: string | undefined, output: StepOutput): string {
  const was = before.booted;
  const now = after.booted;
  if (now.id === was.id || now.checksum === was.checksum) throw new StepFailure(`the booted deployment did not change: still ${describeDeployment(now)}`, output);
  if (version !== undefined && now.version !== version) throw new StepFailure(`the new deployment has version ${now.version ?? '(none)'}, expected ${version}`, output);
  if (!after.deployments.some((d) => d.id === was.id)) throw new StepFailure(`the previous deployment ${describeDeployment(was)} is gone: nothing to roll back to`, output);
  return `${describeDeployment(was)} → ${describeDeployment(now)}`;
}

/** Runs the upgrade; with `interrupt`, hard-resets the VM when its output matches. */
async function upgradeCommand(ctx: StepContext, interrupt: RegExp | undefined): Promise<{ output: StepOutput; interrupted: boolean }> {
  let seen = '';
  let interrupted = false;
  const controller = new AbortController();
  const abort = () => controller.abort();
  ctx.signal.addEventListener('abort', abort, { once: true });
  const onOutput = (text: string) => {
    seen += text;
    if (!interrupt || interrupted || !interrupt.test(seen)) return;
    interrupted = true;
    controller.abort();
  };
  try {
    const result = await ctx.guest.exec(UPGRADE, { timeoutMs: ctx.remaining(), signal: controller.signal, onOutput });
    return { output: { command: UPGRADE, exitCode: result.code, stdout: result.stdout, stderr: result.stderr }, interrupted };
  } catch (error) {
    if (!interrupted) throw error;
    return { output: { command: UPGRADE, stdout: seen }, interrupted };
  } finally {
    ctx.signal.removeEventListener('abort', abort);
  }
}

/** The host was reset mid-upgrade: it must boot a complete deployment it listed before, or the new one whole. */
async function afterInterrupt(ctx: StepContext, before: OstreeStatus, bootId: string, output: StepOutput): Promise<StepOutcome> {
  await resetGuest(ctx.guest, bootId, { timeoutMs: ctx.remaining(), signal: ctx.signal, onProgress: ctx.progress });
  const after = await ostreeStatus(ctx.guest, ctx.signal);
  const known = before.deployments.find((d) => d.id === after.booted.id);
  const usr = await ctx.guest.exec('test -x /usr/bin/rpm-ostree && ls /usr/bin >/dev/null', { timeoutMs: 60_000, signal: ctx.signal });
  if (usr.code !== 0) throw new StepFailure('after the reset the booted deployment has no usable /usr', { ...output, stderr: usr.stderr });
  const which = known ? `the deployment from before the upgrade, ${describeDeployment(after.booted)}` : `the new deployment ${describeDeployment(after.booted)}, complete`;
  return { detail: `interrupted by a hard reset; the host booted ${which}`, output };
}

/** `upgrade`: rpm-ostree upgrade, reboot, then the booted deployment changed (and has `version`). */
export const upgradeStep: StepExecutor = async (ctx) => {
  if (ctx.step.action.kind !== 'upgrade') throw new Error('not an upgrade step');
  const { version, interrupt } = ctx.step.action;
  const before = await ostreeStatus(ctx.guest, ctx.signal);
  const bootId = await readBootId(ctx.guest, ctx.signal);
  ctx.progress(`upgrading from ${describeDeployment(before.booted)}`);
  const { output, interrupted } = await upgradeCommand(ctx, interrupt ? new RegExp(interrupt.when, 'm') : undefined);
  if (interrupted) return afterInterrupt(ctx, before, bootId, output);
  if (interrupt) throw new StepFailure(`the upgrade ended before its output matched /${interrupt.when}/: nothing was interrupted`, output);
  if (output.exitCode !== 0) throw new StepFailure(`rpm-ostree upgrade exited ${String(output.exitCode)}`, output);
  if (/No upgrade available/i.test(output.stdout ?? '')) throw new StepFailure('no upgrade available: the update repository has nothing newer than the booted deployment', output);
  await rebootGuest(ctx.guest, { timeoutMs: ctx.remaining(), signal: ctx.signal, onProgress: ctx.progress });
  const after = await ostreeStatus(ctx.guest, ctx.signal);
  return { detail: checkUpgraded(before, after, version, output), output };
};
