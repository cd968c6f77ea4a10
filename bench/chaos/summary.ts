import type { RunRecord } from './one-run.js';
import type { ChaosOptions } from './run-chaos.js';

export interface ChaosSummary {
  line: string;
  seed: number;
  kills: number;
  /** Runs whose command ended before its kill moment (no signal reached it). */
  endedBeforeKill: number;
  leaks: number;
  failedDowns: number;
  failedRecoveries: number;
  /** op × signal → runs. */
  mix: Record<string, number>;
  durations: Record<string, number>;
  replay: string;
  measured: RunRecord[];
  runs: RunRecord[];
}

/** The one line, the counts and the replay command; every run's record for the JSON file. */
export function summarize(options: ChaosOptions, durations: Record<string, number>, measured: RunRecord[], runs: RunRecord[]): ChaosSummary {
  const all = [...measured, ...runs];
  const leaks = all.filter((r) => r.leaks.length > 0).length;
  const failedDowns = all.filter((r) => r.downFailed).length;
  const failedRecoveries = all.filter((r) => r.recoveryProblems.length > 0).length;
  const kills = runs.filter((r) => r.landed).length;
  const mix: Record<string, number> = {};
  for (const r of runs.filter((run) => run.landed)) mix[`${r.op}×${r.signal}`] = (mix[`${r.op}×${r.signal}`] ?? 0) + 1;
  const ops = new Set(runs.filter((r) => r.landed).map((r) => r.op)).size;
  const signals = new Set(runs.filter((r) => r.landed).map((r) => r.signal)).size;
  const line = `chaos: ${kills} kills (${ops} ops × ${signals} signals), ${leaks} leaks, ${failedDowns} failed downs, ${failedRecoveries} failed recoveries, seed ${options.seed}`;
  const given = Object.entries(durations).map(([op, s]) => `${op}=${s}`).join(',');
  const replay = `npm run chaos -- --runs ${options.runs} --seed ${options.seed} --ops ${options.ops.join(',')} --signals ${options.signals.join(',')} --recover-every ${options.recoverEvery} --durations ${given}`;
  return { line, seed: options.seed, kills, endedBeforeKill: runs.length - kills, leaks, failedDowns, failedRecoveries, mix, durations, replay, measured, runs };
}
