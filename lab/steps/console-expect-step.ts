import type { StepExecutor } from './step-context.js';
import { StepFailure } from './step-failure.js';

/** `console-expect`: a serial console line since the VM started matches a regex. */
export const consoleExpectStep: StepExecutor = async (ctx) => {
  if (ctx.step.action.kind !== 'console-expect') throw new Error('not a console-expect step');
  const pattern = new RegExp(ctx.step.action.pattern);
  const controller = new AbortController();
  const stop = () => controller.abort();
  ctx.signal.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, Math.max(0, ctx.remaining()));
  try {
    for await (const line of ctx.guest.console(controller.signal)) {
      if (pattern.test(line)) return { detail: `console: ${line.trim().slice(0, 200)}` };
    }
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', stop);
    controller.abort();
  }
  throw new StepFailure(`no console line matched /${ctx.step.action.pattern}/`);
};
