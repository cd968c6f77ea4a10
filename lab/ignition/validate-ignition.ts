import { execa } from 'execa';
import { AtomlabError } from '../errors/index.js';
import { requireTool } from '../host/index.js';
import type { PathSegment } from '../yaml/index.js';
import { stringifyLocated } from './located-json.js';
import type { IgnitionConfig } from './merge-ignition.js';

/** One report of ignition-validate, traced to a path of the config where it says one. */
export interface IgnitionFinding {
  level: 'error' | 'warning';
  /** The config path it is about (`storage.files[0].path`); empty: the whole config. */
  path: PathSegment[];
  message: string;
}

export interface IgnitionVerdict {
  /** ignition-validate's exit status was 0. */
  valid: boolean;
  findings: IgnitionFinding[];
  /** The JSON text the judge read. */
  text: string;
}

const LINE = /^(error|warning) at (?:\$([^,]*), )?line (\d+) col (\d+): (.*)$/;

function jsonPath(expression: string): PathSegment[] {
  return expression.split('.').filter(Boolean).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function parseFindings(output: string, pathAt: (line: number) => PathSegment[]): IgnitionFinding[] {
  return output.split('\n').flatMap((raw): IgnitionFinding[] => {
    const line = raw.trim();
    if (!line) return [];
    const match = LINE.exec(line);
    if (!match) return [{ level: 'error', path: [], message: line }];
    const [, level, expression, lineNo, , message] = match;
    const path = expression !== undefined ? jsonPath(expression) : pathAt(Number(lineNo));
    return [{ level: level as 'error' | 'warning', path, message: message! }];
  });
}

/**
 * Runs the real judge, Debian's `ignition-validate` (package `ignition`), on a config. Errors
 * and warnings come back with the config path they are about, also for the JSON type errors it
 * reports only by line and column.
 */
export async function validateIgnition(config: IgnitionConfig, signal?: AbortSignal): Promise<IgnitionVerdict> {
  const bin = await requireTool('ignition-validate');
  const located = stringifyLocated(config);
  const result = await execa(bin, ['-'], { input: located.text, reject: false, all: true, cancelSignal: signal, timeout: 60_000 });
  if (result.isCanceled) throw new AtomlabError('ignition-validate was interrupted', { code: 'INTERRUPTED' });
  if (result.exitCode === undefined || result.exitCode > 1) {
    throw new AtomlabError(`ignition-validate failed to run: ${result.all?.trim() || result.shortMessage}`, { code: 'FAILED', context: { command: bin, exitCode: result.exitCode } });
  }
  return { valid: result.exitCode === 0, findings: parseFindings(result.all ?? '', located.pathAt), text: located.text };
}

/** Throws unless ignition-validate accepts the config: atomlab never hands a guest a config its Ignition would refuse. */
export async function requireValidIgnition(config: IgnitionConfig, what: string, signal?: AbortSignal): Promise<string> {
  const verdict = await validateIgnition(config, signal);
  if (verdict.valid) return verdict.text;
  const errors = verdict.findings.filter((finding) => finding.level === 'error').map((finding) => `${finding.path.join('.') || '(config)'}: ${finding.message}`);
  throw new AtomlabError(`ignition-validate rejects the Ignition config for ${what}: ${errors.join('; ')}`, {
    code: 'BAD_INPUT',
    hint: 'check the scenario\'s ignition: fragment with `atomlab validate`',
    context: { vm: what },
  });
}
