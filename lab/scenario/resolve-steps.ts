import { isAbsolute, resolve } from 'node:path';
import { didYouMean, type PathSegment } from '../yaml/index.js';
import type { ExpectPlan, StepAction, StepPlan, TextMatchPlan } from '../plan/index.js';
import { STEP_KINDS, TARGET_KINDS, type StepEntry, type TextMatch } from './steps-schema.js';

type Kind = (typeof STEP_KINDS)[number];

export interface StepContext {
  vmNames: string[];
  scenarioDir: string;
  /** Records a problem at a step's value (`key` absent) or at one of its keys. */
  report(path: PathSegment[], message: string, key?: string): void;
}

const MINUTE = 60_000;
const DEFAULT_TIMEOUT_MS: Record<Kind, number> = {
  run: 2 * MINUTE,
  reboot: 10 * MINUTE,
  upgrade: 10 * MINUTE,
  rollback: 10 * MINUTE,
  reset: 10 * MINUTE,
  snapshot: 5 * MINUTE,
  revert: 5 * MINUTE,
  copy: 5 * MINUTE,
  'wait-port': 5 * MINUTE,
  'console-expect': 5 * MINUTE,
};

/** Options each kind accepts besides its own key, name and timeout. */
const OPTIONS: Record<Kind, string[]> = {
  run: ['on', 'expect'],
  reboot: [],
  upgrade: ['version', 'interrupt'],
  rollback: [],
  reset: [],
  snapshot: ['on'],
  revert: ['on'],
  copy: ['on'],
  'wait-port': ['on', 'http'],
  'console-expect': ['on'],
};

const COMMON = new Set(['name', 'timeout']);

function durationMs(value: number | string): number {
  if (typeof value === 'number') return value * 1000;
  const [, amount, unit] = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)\s*$/.exec(value)!;
  return Number(amount) * { s: 1000, m: 60_000, h: 3_600_000 }[unit as 's' | 'm' | 'h'];
}

function kindsOf(entry: StepEntry): Kind[] {
  return STEP_KINDS.filter((kind) => entry[kind] !== undefined);
}

function targets(value: string | string[] | undefined, path: PathSegment[], key: string, ctx: StepContext): string[] | undefined {
  if (value === undefined || value === 'all') return [...ctx.vmNames];
  const names = Array.isArray(value) ? value : [value];
  const unknown = names.filter((name) => !ctx.vmNames.includes(name));
  for (const name of unknown) ctx.report([...path, key], `no VM named "${name}"${didYouMean(name, [...ctx.vmNames, 'all'])}`);
  if (unknown.length > 0) return undefined;
  return ctx.vmNames.filter((name) => names.includes(name));
}

function textMatch(match: TextMatch | undefined): TextMatchPlan | undefined {
  if (match === undefined) return undefined;
  if (typeof match === 'string') return { equals: match, contains: [], notContains: [] };
  const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  return { equals: match.equals, contains: list(match.contains), notContains: list(match.notContains), regex: match.regex };
}

function checkRegex(source: string | undefined, path: PathSegment[], ctx: StepContext): void {
  if (source === undefined) return;
  try {
    new RegExp(source);
  } catch (error) {
    ctx.report(path, `not a valid regular expression: ${(error as Error).message}`);
  }
}

function expectPlan(entry: StepEntry, path: PathSegment[], ctx: StepContext): ExpectPlan {
  const expect = entry.expect ?? {};
  const plan: ExpectPlan = { exit: expect.exit ?? 0, stdout: textMatch(expect.stdout), stderr: textMatch(expect.stderr), json: expect.json };
  checkRegex(plan.stdout?.regex, [...path, 'expect', 'stdout', 'regex'], ctx);
  checkRegex(plan.stderr?.regex, [...path, 'expect', 'stderr', 'regex'], ctx);
  return plan;
}

function action(kind: Kind, entry: StepEntry, path: PathSegment[], ctx: StepContext): StepAction {
  switch (kind) {
    case 'run':
      return { kind, command: entry.run!, expect: expectPlan(entry, path, ctx) };
    case 'upgrade':
      checkRegex(entry.interrupt?.when, [...path, 'interrupt', 'when'], ctx);
      return { kind, version: entry.version === undefined ? undefined : String(entry.version), interrupt: entry.interrupt };
    case 'snapshot':
    case 'revert':
      return { kind, snapshot: entry[kind]! };
    case 'copy': {
      const { from, to, mode } = entry.copy!;
      if (!to.startsWith('/')) ctx.report([...path, 'copy', 'to'], 'must be an absolute path in the guest');
      return { kind, from: isAbsolute(from) ? from : resolve(ctx.scenarioDir, from), to, mode: mode === undefined ? undefined : Number.parseInt(mode, 8) };
    }
    case 'wait-port': {
      const http = entry.http;
      return { kind, port: entry['wait-port']!, http: http ? { path: http.path ?? '/', status: http.status, tls: http.tls ?? false } : undefined };
    }
    case 'console-expect':
      checkRegex(entry['console-expect'], [...path, 'console-expect'], ctx);
      return { kind, pattern: entry['console-expect']! };
    default:
      return { kind } as StepAction;
  }
}

function describeValue(kind: Kind, entry: StepEntry): string {
  const value = entry[kind];
  if (kind === 'copy') return `${entry.copy!.from} → ${entry.copy!.to}`;
  return Array.isArray(value) ? value.join(',') : String(value);
}

function planStep(entry: StepEntry, index: number, ctx: StepContext): StepPlan | undefined {
  const path: PathSegment[] = ['steps', index];
  const kinds = kindsOf(entry);
  if (kinds.length !== 1) {
    ctx.report(path, kinds.length === 0 ? `a step needs one of ${STEP_KINDS.join(', ')}` : `a step does one thing: it has ${kinds.join(' and ')}`);
    return undefined;
  }
  const kind = kinds[0]!;
  const allowed = new Set([kind, ...COMMON, ...OPTIONS[kind]]);
  const misplaced = Object.keys(entry).filter((key) => !allowed.has(key as Kind));
  for (const key of misplaced) ctx.report(path, `does not apply to a ${kind} step (it takes ${[...OPTIONS[kind], 'name', 'timeout'].join(', ')})`, key);
  const byValue = (TARGET_KINDS as readonly string[]).includes(kind);
  const vms = targets(byValue ? (entry[kind] as string | string[]) : entry.on, path, byValue ? kind : 'on', ctx);
  const planned = action(kind, entry, path, ctx);
  if (!vms || misplaced.length > 0) return undefined;
  const name = entry.name ?? `${kind} ${describeValue(kind, entry)}`;
  return { index: index + 1, name, vms, timeoutMs: entry.timeout === undefined ? DEFAULT_TIMEOUT_MS[kind] : durationMs(entry.timeout), action: planned };
}

/** The scenario's steps as plans; problems go to ctx.report (the caller drops the plan then). */
export function resolveSteps(entries: StepEntry[] | undefined, ctx: StepContext): StepPlan[] {
  return (entries ?? []).flatMap((entry, index) => {
    const plan = planStep(entry, index, ctx);
    return plan ? [plan] : [];
  });
}
