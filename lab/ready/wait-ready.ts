import { AtomlabError } from '../errors/index.js';
import type { LoginCheck } from '../state/index.js';
import { realClock, type Clock } from './clock.js';
import { ConsoleWatch } from './console-watch.js';
import { hostKeyFingerprint, stagesFor, type ReadyTarget, type Stage, type StageContext } from './stages.js';

export interface ReadyOptions {
  target: ReadyTarget;
  /** The VM's console lines from this boot. */
  console: (signal: AbortSignal) => AsyncIterable<string>;
  /** For the whole of readiness. */
  timeoutMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  stages?: Stage[];
  onStage?: (stage: string, note?: string) => void;
}

export interface ReadyResult {
  login: LoginCheck;
  /** Milliseconds each stage took. */
  timings: Record<string, number>;
  warnings: string[];
}

/** Readiness failed: says which stage, what was tried, and the console's last lines. */
export class NotReadyError extends AtomlabError {
  constructor(
    message: string,
    readonly stage: string,
    readonly tried: string[],
    readonly consoleTail: string[],
    hint: string,
  ) {
    super(message, { code: 'FAILED', hint, context: { step: stage, stderrTail: consoleTail.join('\n') } });
    this.name = 'NotReadyError';
  }
}

/** Short: a banner check on loopback is cheap, and a long sleep adds straight to boot-to-login time. */
const BACKOFF = [250, 500, 1000, 2000];

async function runStage(stage: Stage, ctx: StageContext, clock: Clock, tried: string[]): Promise<{ note?: string; failure?: string; fatal?: boolean }> {
  for (let attempt = 0; ; attempt++) {
    if (ctx.signal.aborted) return { failure: 'interrupted', fatal: true };
    if (ctx.remaining() <= 0) return { failure: `timed out (${tried.at(-1) ?? 'no attempt finished'})` };
    const result = await stage.attempt(ctx).catch((error: Error) => ({ done: false as const, why: error.message }));
    if (result.done) return { note: result.note };
    if (tried.at(-1) !== `${stage.name}: ${result.why}`) tried.push(`${stage.name}: ${result.why}`);
    if ('fatal' in result && result.fatal) return { failure: result.why, fatal: true };
    await clock.sleep(Math.min(BACKOFF[Math.min(attempt, BACKOFF.length - 1)]!, Math.max(0, ctx.remaining())), ctx.signal).catch(() => undefined);
  }
}

/**
 * Staged readiness for one VM: SSH answers, key login (host key pinned), cloud-init done, the
 * hostname, password login. One loop with backoff; the console is watched all along and a fatal
 * line (kernel panic, emergency shell, no bootable device) fails at once.
 */
export async function waitReady(options: ReadyOptions): Promise<ReadyResult> {
  const clock = options.clock ?? realClock;
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const watch = new ConsoleWatch(40, abort);
  const watching = watch.consume(options.console);
  const deadline = clock.now() + options.timeoutMs;
  const ctx: StageContext = { target: options.target, console: watch, signal: controller.signal, remaining: () => deadline - clock.now() };
  const tried: string[] = [];
  const timings: Record<string, number> = {};
  try {
    for (const stage of options.stages ?? stagesFor(options.target.firstBoot)) {
      const started = clock.now();
      const outcome = await runStage(stage, ctx, clock, tried);
      timings[stage.name] = clock.now() - started;
      if (outcome.failure) throw failure(stage, outcome.failure, watch, tried, options);
      options.onStage?.(stage.name, outcome.note);
    }
  } finally {
    watch.stop();
    options.signal?.removeEventListener('abort', abort);
    await watching;
  }
  const methods: LoginCheck['methods'] = options.target.password === undefined ? ['key'] : ['key', 'password'];
  const firstBoot = options.target.firstBoot === 'ignition' ? { ignition: 'done' } : { cloudInit: 'done' };
  return { login: { verified: true, methods, hostKey: hostKeyFingerprint(options.target.hostKey), ...firstBoot }, timings, warnings: watch.warnings };
}

function failure(stage: Stage, why: string, watch: ConsoleWatch, tried: string[], options: ReadyOptions): AtomlabError {
  if (options.signal?.aborted) return new AtomlabError(`${options.target.vm}: interrupted while waiting for ${stage.name}`, { code: 'INTERRUPTED' });
  const reason = watch.fatal ?? why;
  return new NotReadyError(`${options.target.vm}: not ready at stage ${stage.name}: ${reason}`, stage.name, tried, [...watch.tail], stage.hint);
}
