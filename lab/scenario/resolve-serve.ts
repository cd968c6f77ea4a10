import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DEFERRED, type TemplateVars } from '../template/index.js';
import type { PathSegment } from '../yaml/index.js';
import type { ServePlan } from '../plan/index.js';
import type { Scenario } from './schema.js';

type Report = (path: PathSegment[], message: string) => void;

/** A file where a directory should be is a mistake now; a directory not there yet is checked by `up` (it may be published first). */
function directoryProblem(path: string): string | undefined {
  const info = statSync(path, { throwIfNoEntry: false });
  return info && !info.isDirectory() ? `${path} is not a directory` : undefined;
}

/** The scenario's served directories, with absolute paths; files given as directories and duplicate names reported. */
export function resolveServe(scenario: Scenario, scenarioDir: string, report: Report): ServePlan[] {
  const seen = new Map<string, number>();
  return (scenario.serve ?? []).map((entry, index) => {
    const first = seen.get(entry.name);
    if (first !== undefined) report(['serve', index, 'name'], `duplicate serve name "${entry.name}" (first used by serve[${first}])`);
    seen.set(entry.name, index);
    const path = isAbsolute(entry.path) ? entry.path : resolve(scenarioDir, entry.path);
    const problem = directoryProblem(path);
    if (problem) report(['serve', index, 'path'], problem);
    return { name: entry.name, path };
  });
}

/** `serve.NAME` for every served directory, known but filled in later (at seed or step time). */
export function deferredServeVars(serve: readonly Pick<ServePlan, 'name'>[]): TemplateVars {
  return Object.fromEntries(serve.map((entry) => [`serve.${entry.name}`, DEFERRED]));
}
