import { isDeepStrictEqual } from 'node:util';
import type { ExpectPlan, TextMatchPlan } from '../plan/index.js';
import type { ExecResult } from '../ssh/index.js';
import { valueAtPath } from './json-path.js';

function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 197)}...` : text);
}

function textProblems(stream: 'stdout' | 'stderr', text: string, match: TextMatchPlan): string[] {
  const problems: string[] = [];
  if (match.equals !== undefined && text.trim() !== match.equals.trim()) problems.push(`${stream} is ${quote(text.trim())}, expected ${quote(match.equals)}`);
  for (const part of match.contains) if (!text.includes(part)) problems.push(`${stream} does not contain ${quote(part)}`);
  for (const part of match.notContains) if (text.includes(part)) problems.push(`${stream} contains ${quote(part)}`);
  if (match.regex !== undefined && !new RegExp(match.regex, 'm').test(text)) problems.push(`${stream} does not match /${match.regex}/`);
  return problems;
}

function exitProblems(code: number | null, signal: string | undefined, wanted: ExpectPlan['exit']): string[] {
  if (wanted === 'any') return [];
  const got = code === null ? `was killed${signal ? ` by ${signal}` : ''}` : `exited ${code}`;
  if (wanted === 'nonzero') return code !== null && code !== 0 ? [] : [`the command ${got}, expected a non-zero exit`];
  return code === wanted ? [] : [`the command ${got}, expected ${wanted}`];
}

function jsonProblems(stdout: string, wanted: Record<string, unknown>): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (error) {
    return [`stdout is not JSON: ${(error as Error).message}`];
  }
  return Object.entries(wanted).flatMap(([path, value]) => {
    const actual = valueAtPath(parsed, path);
    return isDeepStrictEqual(actual, value) ? [] : [`${path} is ${JSON.stringify(actual) ?? 'missing'}, expected ${JSON.stringify(value)}`];
  });
}

/** Every way a command's result misses its expectations; empty when it meets them all. */
export function checkExpect(result: ExecResult, expect: ExpectPlan): string[] {
  return [
    ...exitProblems(result.code, result.signal, expect.exit),
    ...(expect.stdout ? textProblems('stdout', result.stdout, expect.stdout) : []),
    ...(expect.stderr ? textProblems('stderr', result.stderr, expect.stderr) : []),
    ...(expect.json ? jsonProblems(result.stdout, expect.json) : []),
  ];
}
