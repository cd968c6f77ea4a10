import type { z } from 'zod';
import type { Problem } from '../errors/index.js';
import type { YamlSource } from './read-yaml-file.js';
import { formatPath, keyPosition, valuePosition, type PathSegment } from './locate.js';
import { didYouMean } from './did-you-mean.js';
import { allowedKeys } from './schema-walk.js';

type Issue = z.core.$ZodIssue;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 37)}...` : value}"`;
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  record: 'a mapping',
};

/** YAML reads `password: 1234` as a number: say how to make it a string. */
function quoteHint(expected: string, input: unknown): string {
  return expected === 'string' && (typeof input === 'number' || typeof input === 'boolean') ? ` (quote it: "${String(input)}")` : '';
}

function sizeMessage(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const bound = 'minimum' in issue ? issue.minimum : issue.maximum;
  const small = issue.code === 'too_small';
  if (issue.origin === 'array') return small ? `must list at least ${bound}` : `may list at most ${bound}`;
  if (issue.origin === 'string') return small ? `must not be empty` : `must be at most ${bound} characters`;
  const inclusive = issue.inclusive ?? true;
  if (small) return inclusive ? `must be at least ${bound}` : `must be greater than ${bound}`;
  return inclusive ? `must be at most ${bound}` : `must be less than ${bound}`;
}

function messageFor(issue: Issue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'is required';
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${describe(input)}${quoteHint(issue.expected, input)}`;
    case 'too_small':
    case 'too_big':
      return issue.origin === 'array' ? `${sizeMessage(issue)}, got ${(input as unknown[]).length}` : `${sizeMessage(issue)}, got ${describe(input)}`;
    case 'invalid_value': {
      const values = issue.values.map(String);
      const hint = typeof input === 'string' ? didYouMean(input, values) : '';
      return `must be one of ${values.join(', ')}; got ${describe(input)}${hint}`;
    }
    case 'invalid_format':
      return `${issue.message}, got ${describe(input)}`;
    default:
      return issue.message;
  }
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

/** Of a union's branches, those that failed deeper than on the value's own type. */
function plausibleBranches(errors: Issue[][]): Issue[][] {
  return errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
}

interface Context {
  source: YamlSource;
  schema: z.ZodType;
  data: unknown;
}

function problem(ctx: Context, path: readonly PathSegment[], message: string, at: { line: number; col: number }): Problem {
  const where = path.length > 0 ? `${formatPath(path)}: ` : '';
  return { file: ctx.source.file, line: at.line, col: at.col, message: `${where}${message}` };
}

function unionProblems(ctx: Context, issue: Extract<Issue, { code: 'invalid_union' }>, path: PathSegment[]): Problem[] {
  const branches = plausibleBranches(issue.errors);
  if (branches.length === 1) return branches[0]!.flatMap((inner) => issueProblems(ctx, inner, path));
  const input = valueAt(ctx.data, path);
  const expected = [...new Set(issue.errors.flat().filter((i) => i.code === 'invalid_type').map((i) => (i as { expected: string }).expected))];
  const what = expected.length > 0 ? expected.map((e) => TYPE_NAMES[e] ?? e).join(' or ') : 'a valid value';
  return [problem(ctx, path, `expected ${what}, got ${describe(input)}`, valuePosition(ctx.source, path))];
}

function issueProblems(ctx: Context, issue: Issue, prefix: PathSegment[] = []): Problem[] {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  if (issue.code === 'invalid_union') return unionProblems(ctx, issue, path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(ctx.schema, path, ctx.data);
    return issue.keys.map((key) =>
      problem(ctx, [...path, key], `unknown key${didYouMean(key, allowed)}`, keyPosition(ctx.source, path, key)),
    );
  }
  if (issue.code === 'invalid_key') {
    const key = String(path.at(-1));
    const at = keyPosition(ctx.source, path.slice(0, -1), key);
    return issue.issues.map((inner) => problem(ctx, path, `${messageFor(inner as Issue, key)} (as a key)`, at));
  }
  const input = valueAt(ctx.data, path);
  return [problem(ctx, path, messageFor(issue, input), valuePosition(ctx.source, path))];
}

/** Validates a parsed document against a schema and returns every problem, positioned. */
export function validateWithSchema<S extends z.ZodType>(
  source: YamlSource,
  schema: S,
): { data: z.output<S>; problems: [] } | { data: undefined; problems: Problem[] } {
  const data = source.data;
  const result = schema.safeParse(data);
  if (result.success) return { data: result.data, problems: [] };
  const ctx: Context = { source, schema, data };
  const problems = result.error.issues.flatMap((issue) => issueProblems(ctx, issue));
  return { data: undefined, problems: sortProblems(problems) };
}

export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col);
}
