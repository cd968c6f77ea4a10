import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomlab, killAt, type AtomlabCall, type Finished, type SignalName } from './child.js';
import { judgeRecovery, judgeStatus } from './judge-lab.js';
import { OP_SPECS, type OpName, type RunPlace } from './operations.js';
import { judgePull, pullTraces } from './judge-pull.js';
import { filesUnder, libvirtNaming, listenersOn, portsIn, processesNaming, type Traces } from './traces.js';
import { sweep } from './sweep.js';

export interface RunPlan {
  index: number;
  op: OpName;
  /** Undefined: the uninterrupted run that measures the op's duration. */
  signal?: SignalName;
  at?: number;
  recover: boolean;
}

export interface RunRecord extends RunPlan {
  /** The signal reached a running command (else the command had already ended). */
  landed: boolean;
  exit: string;
  seconds: number;
  /** Anything the lab left after `down` (or the cache after `images prune`). */
  leaks: string[];
  downFailed?: string;
  /** status, the exit code after SIGINT/SIGTERM, the recovery `up`: what went wrong. */
  recoveryProblems: string[];
  dir: string;
  log: string;
}

export interface RunContext {
  workDir: string;
  seed: number;
  libvirtUri: string | undefined;
  mirror: RunPlace['mirror'];
}

const exitOf = (f: Finished) => (f.exitCode !== null ? String(f.exitCode) : String(f.signal));

/** What the command's end must look like: 130 after SIGINT/SIGTERM, 0 when it was not killed. */
function exitProblems(plan: RunPlan, killed: Finished & { landed: boolean; graceExceeded?: boolean }): string[] {
  if (!killed.landed) return killed.exitCode === 0 ? [] : [`${plan.op} ended with ${exitOf(killed)} before any signal: ${killed.stderr.trim().split('\n').slice(-3).join(' | ')}`];
  if (plan.signal === 'KILL') return [];
  if (killed.graceExceeded) return [`${plan.op} did not exit within the grace period after SIG${plan.signal}`];
  // what a shell reports as 130 (or 143): atomlab's own exit(130), or the default action of a
  // signal that came before atomlab installed its handler (nothing was made yet)
  const ok = killed.exitCode === 130 || killed.signal === `SIG${plan.signal}`;
  return ok ? [] : [`${plan.op} exited ${exitOf(killed)} after SIG${plan.signal} (expected 130)`];
}

async function labTraces(place: RunPlace, ports: number[], libvirtUri: string | undefined): Promise<Traces> {
  const markers = [place.lab, place.dir];
  const { domains, volumes } = await libvirtNaming(libvirtUri, place.lab);
  return {
    processes: await processesNaming(markers),
    domains,
    volumes,
    listeners: await listenersOn(ports, markers),
    files: await filesUnder(place.dir, ['atomlab.yaml', 'junit.xml']),
  };
}

const describeTraces = (t: Traces) => Object.entries(t).flatMap(([kind, list]: [string, string[]]) => list.map((item) => `${kind}: ${item}`));

async function runLab(plan: RunPlan, place: RunPlace, ctx: RunContext, call: AtomlabCall, record: RunRecord): Promise<void> {
  const spec = OP_SPECS[plan.op];
  if (spec.setupUp) {
    const setup = await atomlab({ ...call, args: ['up', place.file, ...spec.upFlags] });
    if (setup.exitCode !== 0) record.recoveryProblems.push(`setup up exit ${exitOf(setup)}: ${setup.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  const command = { ...call, args: spec.command(place) };
  const killed = plan.signal ? await killAt(command, plan.signal, plan.at!) : { ...(await atomlab(command)), landed: false };
  Object.assign(record, { landed: killed.landed, exit: exitOf(killed), seconds: killed.seconds });
  record.recoveryProblems.push(...exitProblems(plan, killed));
  const status = await judgeStatus({ ...call, args: ['status', place.file] }, place.lab, ctx.libvirtUri);
  record.recoveryProblems.push(...status.problems);
  const ports = await portsIn(place.dir, status.stdout);
  if (plan.recover) {
    const problem = await judgeRecovery({ ...call, args: ['up', place.file] }, spec.upFlags);
    if (problem) record.recoveryProblems.push(problem);
    ports.push(...(await portsIn(place.dir, '')));
  }
  const down = await atomlab({ ...call, args: ['down', place.file] });
  if (down.exitCode !== 0) record.downFailed = `down exit ${exitOf(down)}: ${down.stderr.trim().split('\n').slice(-4).join(' | ')}`;
  record.leaks = describeTraces(await labTraces(place, ports, ctx.libvirtUri));
}

async function runPull(plan: RunPlan, place: RunPlace, call: AtomlabCall, record: RunRecord): Promise<void> {
  const command = { ...call, args: OP_SPECS.pull.command(place) };
  const killed = plan.signal ? await killAt(command, plan.signal, plan.at!) : { ...(await atomlab(command)), landed: false };
  Object.assign(record, { landed: killed.landed, exit: exitOf(killed), seconds: killed.seconds });
  record.recoveryProblems.push(...exitProblems(plan, killed));
  const judged = await judgePull(call, place, plan.recover);
  record.recoveryProblems.push(...judged.problems);
  record.downFailed = judged.pruneFailed;
  record.leaks = describeTraces(await pullTraces(place));
}

/** One kill (or one measuring run): the op, the signal, then status, recovery, down, and the traces left. */
export async function oneRun(plan: RunPlan, ctx: RunContext): Promise<RunRecord> {
  const lab = `chaos-${ctx.seed.toString(36)}-${plan.index}-${plan.op}`;
  const dir = await mkdtemp(join(ctx.workDir, `${lab}-`));
  const place: RunPlace = { dir, file: join(dir, 'atomlab.yaml'), lab, home: join(dir, 'home'), mirror: ctx.mirror };
  await writeFile(place.file, await OP_SPECS[plan.op].scenario(place));
  const log = join(ctx.workDir, `${lab}.log`);
  const call: AtomlabCall = { args: [], log, env: OP_SPECS[plan.op].kind === 'cache' ? { ATOMLAB_HOME: place.home } : {} };
  const record: RunRecord = { ...plan, landed: false, exit: '', seconds: 0, leaks: [], recoveryProblems: [], dir, log };
  if (OP_SPECS[plan.op].kind === 'cache') await runPull(plan, place, call, record);
  else await runLab(plan, place, ctx, call, record);
  // whatever was left is removed by hand, so the next run starts clean; a clean run leaves no directory
  if (record.leaks.length > 0 || record.downFailed) await sweep(place, ctx.libvirtUri);
  else await rm(dir, { recursive: true, force: true });
  return record;
}

