import { isScalar, type Scalar } from 'yaml';
import type { Problem } from '../errors/index.js';
import { checkFragment, normalizeFragment } from '../ignition/index.js';
import { locate, type PathSegment, type YamlSource } from '../yaml/index.js';
import { ProblemList } from './problem-list.js';

/** A fragment to judge: where it is written, as what the VMs using it are given, and the spec version. */
export interface FragmentCheck {
  path: PathSegment[];
  fragment: Record<string, unknown>;
  version: string;
}

/** The scalar as written in the file (`0644`, not the number YAML 1.2 made of it). */
export function writtenScalar(source: YamlSource, path: readonly PathSegment[]): string | undefined {
  const node = locate(source, path).value;
  return isScalar(node) ? ((node as Scalar & { source?: string }).source ?? undefined) : undefined;
}

/** A VM's `ignition:` value in Ignition's spelling (Butane keys translated, modes as numbers); problems go to `report`. */
export function planFragment(source: YamlSource, at: PathSegment[], value: Record<string, unknown> | undefined, report: (path: PathSegment[], message: string) => void): Record<string, unknown> {
  if (value === undefined) return {};
  const normalized = normalizeFragment(value, { keepInline: true, written: (path) => writtenScalar(source, [...at, ...path]) });
  for (const problem of normalized.problems) report([...at, ...problem.path], problem.message);
  return normalized.config;
}

/**
 * Judges each `ignition:` fragment once per spec version with the real ignition-validate, every
 * problem at its line in the scenario (an unknown key at the key itself).
 */
export async function checkIgnitionFragments(source: YamlSource, checks: FragmentCheck[]): Promise<Problem[]> {
  const problems = new ProblemList(source);
  const seen = new Set<string>();
  for (const check of checks) {
    const id = JSON.stringify([check.path, check.version]);
    if (seen.has(id)) continue;
    seen.add(id);
    const found = await checkFragment(check.fragment, check.version, { written: (path) => writtenScalar(source, [...check.path, ...path]) });
    for (const { path, message } of found) {
      const full = [...check.path, ...path];
      const unknownKey = /has no key "/.test(message) && typeof full.at(-1) === 'string';
      if (unknownKey) problems.at(full.slice(0, -1), message, full.at(-1) as string);
      else problems.at(full, message);
    }
  }
  return problems.problems;
}
