import { mkdir } from 'node:fs/promises';
import { ensureLibvirtd, type Libvirtd } from '../../test/fixtures/libvirtd.js';
import type { SignalName } from './child.js';
import { startMirror } from './mirror.js';
import { oneRun, type RunContext, type RunPlan, type RunRecord } from './one-run.js';
import { OP_SPECS, type OpName } from './operations.js';
import { seededRandom } from './prng.js';
import { summarize, type ChaosSummary } from './summary.js';

export interface ChaosOptions {
  runs: number;
  seed: number;
  ops: OpName[];
  signals: SignalName[];
  /** Every this many runs, a fresh `up` after the kill must reach a verified login. */
  recoverEvery: number;
  /** Seconds each op takes uninterrupted; the ops not given are measured first. */
  durations: Partial<Record<OpName, number>>;
  workDir: string;
  log?: (line: string) => void;
  /** Called after every run with the figures so far (a long run can be cut short and still report). */
  progress?: (summary: ChaosSummary) => Promise<void>;
  /** Asked before each run: true ends the suite early (the summary covers the runs made). */
  stop?: () => Promise<boolean>;
}

/**
 * The runs' ops and signals cover every op × signal pair in turn (op fastest), and each kill
 * moment is drawn uniformly from [0, the op's duration] by the seeded PRNG: a seed replays.
 */
export function planRuns(options: Pick<ChaosOptions, 'runs' | 'seed' | 'ops' | 'signals' | 'recoverEvery'>, durations: Record<string, number>): RunPlan[] {
  const random = seededRandom(options.seed);
  return Array.from({ length: options.runs }, (_, index) => {
    const op = options.ops[index % options.ops.length]!;
    const signal = options.signals[Math.floor(index / options.ops.length) % options.signals.length]!;
    const at = Math.round(random() * durations[op]! * 10) / 10;
    return { index: index + 1, op, signal, at, recover: (index + 1) % options.recoverEvery === 0 };
  });
}

const describe = (r: RunRecord) => {
  const what = r.signal ? `SIG${r.signal} at ${r.at} s${r.landed ? '' : ' (ended before)'}` : `uninterrupted, ${r.seconds.toFixed(1)} s`;
  const bad = [...r.leaks.map((l) => `LEAK ${l}`), ...(r.downFailed ? [`DOWN ${r.downFailed}`] : []), ...r.recoveryProblems.map((p) => `RECOVERY ${p}`)];
  return `run ${r.index} ${r.op} ${what}: exit ${r.exit}${r.recover ? ', then a recovery' : ''}${bad.length ? `\n  ${bad.join('\n  ')}\n  log: ${r.log}` : ', clean'}`;
};

async function measure(options: ChaosOptions, ctx: RunContext, records: RunRecord[]): Promise<Record<string, number>> {
  const durations: Record<string, number> = { ...options.durations };
  for (const op of options.ops.filter((name) => durations[name] === undefined)) {
    const record = await oneRun({ index: 0, op, recover: false }, ctx);
    options.log?.(describe(record));
    records.push(record);
    durations[op] = Math.round(record.seconds * 10) / 10;
  }
  return durations;
}

/** Runs the chaos suite; the summary says what leaked and failed, and how to replay it. */
export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  await mkdir(options.workDir, { recursive: true });
  const daemon: Libvirtd | undefined = options.ops.some((op) => OP_SPECS[op].libvirt) ? await ensureLibvirtd() : undefined;
  const mirror = options.ops.includes('pull') ? await startMirror(options.workDir) : undefined;
  const ctx: RunContext = { workDir: options.workDir, seed: options.seed, libvirtUri: daemon?.localUri, mirror: mirror ?? { url: '', sha256: '' } };
  const measured: RunRecord[] = [];
  const records: RunRecord[] = [];
  try {
    const durations = await measure(options, ctx, measured);
    options.log?.(`durations (s): ${JSON.stringify(durations)}`);
    for (const plan of planRuns(options, durations)) {
      if (await options.stop?.()) break;
      const record = await oneRun(plan, ctx);
      options.log?.(describe(record));
      records.push(record);
      await options.progress?.(summarize(options, durations, measured, records));
    }
    return summarize(options, durations, measured, records);
  } finally {
    await mirror?.close();
    await daemon?.stop();
  }
}
