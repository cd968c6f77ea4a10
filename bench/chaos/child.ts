import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export const BIN = new URL('../../../bin/atomlab.js', import.meta.url).pathname;
export const SIGNALS = ['KILL', 'INT', 'TERM'] as const;
export type SignalName = (typeof SIGNALS)[number];

export interface Finished {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

export interface AtomlabCall {
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Every call's command line and output is appended here, for a failure's post-mortem. */
  log: string;
}

/** The CLI as a user runs it, in its own process group (so a Ctrl-C can reach the whole group). */
function start(call: AtomlabCall): { child: ChildProcess; done: Promise<Finished> } {
  const began = performance.now();
  const child = spawn(process.execPath, [BIN, ...call.args], { env: { ...process.env, ...call.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'exit', not 'close': an orphan left by a SIGKILL may hold the pipes open
  const done = once(child, 'exit').then(async ([exitCode, signal]) => {
    await Promise.race([once(child, 'close'), sleep(2000)]);
    child.stdout!.destroy();
    child.stderr!.destroy();
    const finished = { exitCode: exitCode as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr, seconds: (performance.now() - began) / 1000 };
    await appendFile(call.log, `$ atomlab ${call.args.join(' ')}\n${stderr}${stdout}→ exit ${exitCode ?? signal} after ${finished.seconds.toFixed(1)} s\n\n`);
    return finished;
  });
  return { child, done };
}

/** Runs a command to its end; past the timeout it is killed and reported as such. */
export async function atomlab(call: AtomlabCall, timeoutMs = 20 * 60_000): Promise<Finished> {
  const { child, done } = start(call);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

export interface Killed extends Finished {
  /** False when the command had ended before its kill moment. */
  landed: boolean;
  /** Seconds after the start at which the signal was sent. */
  at: number;
}

function send(child: ChildProcess, signal: SignalName): void {
  try {
    // SIGINT as a terminal's Ctrl-C sends it: to the whole foreground process group
    if (signal === 'INT') process.kill(-child.pid!, 'SIGINT');
    else child.kill(`SIG${signal}`);
  } catch (error) {
    // the command exited between its last check and the signal (seed 48151623, run 29)
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Starts the command and sends the signal `atSeconds` later (if it is still running). After
 * SIGINT/SIGTERM it gets `graceMs` to clean up and exit; past that it is SIGKILLed.
 */
export async function killAt(call: AtomlabCall, signal: SignalName, atSeconds: number, graceMs = 180_000): Promise<Killed & { graceExceeded: boolean }> {
  const { child, done } = start(call);
  const ended = await Promise.race([done.then(() => true), sleep(atSeconds * 1000).then(() => false)]);
  if (ended) return { ...(await done), landed: false, at: atSeconds, graceExceeded: false };
  send(child, signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const finished = await done;
  clearTimeout(timer);
  const graceExceeded = signal !== 'KILL' && finished.signal === 'SIGKILL';
  // exit 0: the signal met a command that had already done its work and was exiting
  return { ...finished, landed: finished.exitCode !== 0, at: atSeconds, graceExceeded };
}
