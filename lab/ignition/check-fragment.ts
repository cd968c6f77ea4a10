import type { PathSegment } from '../yaml/index.js';
import { mergeIgnition } from './merge-ignition.js';
import { normalizeFragment, type NormalizeOptions } from './normalize-fragment.js';
import { validateIgnition, type IgnitionFinding } from './validate-ignition.js';

export interface FragmentProblem {
  /** Where in the fragment, as written (Butane keys stay Butane keys). */
  path: PathSegment[];
  message: string;
}

/** What Ignition would refuse, or silently ignore (an unknown key is a misspelling worth stopping for). */
function asProblem(finding: IgnitionFinding, version: string, written: PathSegment[]): string | undefined {
  if (finding.level === 'error') return `Ignition ${version} rejects this: ${finding.message}`;
  const unused = /^Unused key (.+)$/.exec(finding.message);
  return unused ? `Ignition ${version} has no key "${String(written.at(-1) ?? unused[1])}" here (it would be ignored)` : undefined;
}

/**
 * Judges a scenario's `ignition:` fragment with the real ignition-validate, as a config of the
 * spec version the image reads: every error (and every unknown key) at its path in the fragment.
 */
export async function checkFragment(fragment: Record<string, unknown>, version: string, options: NormalizeOptions = {}): Promise<FragmentProblem[]> {
  const normalized = normalizeFragment(fragment, options);
  const config = mergeIgnition({ ignition: { version } }, normalized.config);
  const verdict = await validateIgnition(config);
  const judged = verdict.findings.flatMap((finding) => {
    const path = normalized.sourcePath(finding.path);
    const message = asProblem(finding, version, path);
    return message ? [{ path, message }] : [];
  });
  return [...normalized.problems, ...judged];
}
