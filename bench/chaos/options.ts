import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SIGNALS } from './child.js';
import { OPS, type OpName } from './operations.js';
import { newSeed } from './prng.js';
import type { ChaosOptions } from './run-chaos.js';

function listOf<T extends string>(text: string | undefined, allowed: readonly T[], what: string): T[] {
  if (text === undefined) return [...allowed];
  const items = text.split(',').map((item) => item.trim()).filter(Boolean);
  const unknown = items.filter((item) => !allowed.includes(item as T));
  if (unknown.length > 0 || items.length === 0) throw new Error(`--${what}: unknown ${unknown.join(', ') || '(empty)'}; choose from ${allowed.join(',')}`);
  return items as T[];
}

function durationsOf(text: string | undefined): Partial<Record<OpName, number>> {
  const durations: Partial<Record<OpName, number>> = {};
  for (const pair of text ? text.split(',') : []) {
    const [op, seconds] = pair.split('=');
    if (!OPS.includes(op as OpName) || !(Number(seconds) > 0)) throw new Error(`--durations: "${pair}" is not op=seconds`);
    durations[op as OpName] = Number(seconds);
  }
  return durations;
}

function positive(text: string | undefined, fallback: number, what: string): number {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${what} takes a whole number, not "${text}"`);
  return value;
}

/** `--runs N [--seed S] [--ops …] [--signals …] [--recover-every K] [--durations op=s,…] [--json FILE] [--work DIR]` */
export function parseChaosArgs(argv: string[]): ChaosOptions & { json: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' }, seed: { type: 'string' }, ops: { type: 'string' }, signals: { type: 'string' },
      'recover-every': { type: 'string' }, durations: { type: 'string' }, json: { type: 'string' }, work: { type: 'string' },
    },
  });
  const seed = positive(values.seed, newSeed(), 'seed');
  return {
    runs: positive(values.runs, 18, 'runs'),
    seed,
    ops: listOf(values.ops, OPS, 'ops'),
    signals: listOf(values.signals, SIGNALS, 'signals'),
    recoverEvery: Math.max(1, positive(values['recover-every'], 3, 'recover-every')),
    durations: durationsOf(values.durations),
    workDir: values.work ?? join(tmpdir(), `atomlab-chaos-${seed}`),
    json: values.json ?? `chaos-${seed}.json`,
  };
}
