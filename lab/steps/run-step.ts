import { checkExpect } from './expect.js';
import type { StepExecutor } from './step-context.js';
import { StepFailure } from './step-failure.js';

/** `run`: a command over SSH as the login user, checked against `expect`. */
export const runStep: StepExecutor = async (ctx) => {
  if (ctx.step.action.kind !== 'run') throw new Error('not a run step');
  const { command, expect } = ctx.step.action;
  const result = await ctx.guest.exec(command, { timeoutMs: ctx.remaining(), signal: ctx.signal });
  const output = { command, exitCode: result.code, stdout: result.stdout, stderr: result.stderr };
  const problems = checkExpect(result, expect);
  if (problems.length > 0) throw new StepFailure(problems.join('; '), output);
  return { detail: `exit ${String(result.code)}`, output };
};
