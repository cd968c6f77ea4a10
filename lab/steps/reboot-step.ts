import { readBootId, rebootGuest, resetGuest } from './boot-id.js';
import type { StepExecutor } from './step-context.js';

/** `reboot`: proven by a new boot_id, then login verified again. */
export const rebootStep: StepExecutor = async (ctx) => {
  const before = await rebootGuest(ctx.guest, { timeoutMs: ctx.remaining(), signal: ctx.signal, onProgress: ctx.progress });
  return { detail: `rebooted (boot_id was ${before}); login verified` };
};

/** `reset`: a hard reset (no shutdown), then the same proof as a reboot. */
export const resetStep: StepExecutor = async (ctx) => {
  const before = await readBootId(ctx.guest, ctx.signal);
  await resetGuest(ctx.guest, before, { timeoutMs: ctx.remaining(), signal: ctx.signal, onProgress: ctx.progress });
  return { detail: `hard reset (boot_id was ${before}); login verified` };
};
