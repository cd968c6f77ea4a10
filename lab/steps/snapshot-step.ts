import { AtomlabError } from '../errors/index.js';
import { hasSnapshots } from '../provider/index.js';
import type { StepExecutor } from './step-context.js';

function snapshots(ctx: Parameters<StepExecutor>[0]) {
  const { provider } = ctx.guest;
  if (!hasSnapshots(provider)) throw new AtomlabError(`the ${provider.name} provider cannot take snapshots`, { code: 'FAILED', hint: 'use the qemu or libvirt provider for snapshot steps' });
  return provider;
}

/** `snapshot`: a named provider snapshot (disk, and memory while running). */
export const snapshotStep: StepExecutor = async (ctx) => {
  if (ctx.step.action.kind !== 'snapshot') throw new Error('not a snapshot step');
  const provider = snapshots(ctx);
  const name = ctx.step.action.snapshot;
  if ((await provider.listSnapshots(ctx.guest.ref)).includes(name)) await provider.deleteSnapshot(ctx.guest.ref, name);
  await provider.snapshot(ctx.guest.ref, name);
  return { detail: `took snapshot ${name}` };
};

/** `revert`: back to a named snapshot, then login verified again. */
export const revertStep: StepExecutor = async (ctx) => {
  if (ctx.step.action.kind !== 'revert') throw new Error('not a revert step');
  const provider = snapshots(ctx);
  await provider.revert(ctx.guest.ref, ctx.step.action.snapshot);
  if ((await provider.state(ctx.guest.ref)) === 'running') await ctx.guest.verifyLogin({ timeoutMs: ctx.remaining(), signal: ctx.signal });
  return { detail: `reverted to ${ctx.step.action.snapshot}; login verified` };
};
