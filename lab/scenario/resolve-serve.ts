import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { packagePath } from '../paths/index.js';
import { DEFERRED, type TemplateVars } from '../template/index.js';
import type { PathSegment } from '../yaml/index.js';
import type { ServePlan } from '../plan/index.js';
import { durationMs } from './resolve-steps.js';
import type { Scenario, ServeEntry } from './schema.js';

type Report = (path: PathSegment[], message: string) => void;

/** A file where a directory should be is a mistake now; a directory not there yet is checked by `up` (it may be published first). */
function directoryProblem(path: string): string | undefined {
  const info = statSync(path, { throwIfNoEntry: false });
  return info && !info.isDirectory() ? `${path} is not a directory` : undefined;
}

function publishPlan(entry: ServeEntry, at: PathSegment[], report: Report): ServePlan['publish'] {
  if (!entry.publish) return undefined;
  const script = packagePath('images', 'recipes', entry.publish.recipe, 'publish-update');
  if (!statSync(script, { throwIfNoEntry: false })?.isFile()) report([...at, 'publish', 'recipe'], `recipe "${entry.publish.recipe}" has no publish-update script (${script})`);
  return { ...entry.publish, script };
}

function delayPlan(entry: ServeEntry, at: PathSegment[], report: Report): ServePlan['delay'] {
  if (!entry.delay) return undefined;
  try {
    new RegExp(entry.delay.match);
  } catch (error) {
    report([...at, 'delay', 'match'], `not a regular expression: ${(error as Error).message}`);
  }
  return { match: entry.delay.match, ms: durationMs(entry.delay.time) };
}

/** Where a lab publishes a `publish:` entry's repository (inside its state directory; `down` removes it). */
export function publishedServeDir(stateDir: string, name: string): string {
  return join(stateDir, 'serve', 'published', name);
}

function servePath(entry: ServeEntry, scenarioDir: string, at: PathSegment[], report: Report): string {
  if (entry.path === undefined) return '';
  const path = isAbsolute(entry.path) ? entry.path : resolve(scenarioDir, entry.path);
  const problem = directoryProblem(path);
  if (problem) report([...at, 'path'], problem);
  return path;
}

/**
 * The scenario's served directories, with absolute paths; files given as directories and
 * duplicate names reported. A `publish:` entry's path is set per lab (`forLab`).
 */
export function resolveServe(scenario: Scenario, scenarioDir: string, report: Report): ServePlan[] {
  const seen = new Map<string, number>();
  return (scenario.serve ?? []).map((entry, index) => {
    const at: PathSegment[] = ['serve', index];
    const first = seen.get(entry.name);
    if (first !== undefined) report([...at, 'name'], `duplicate serve name "${entry.name}" (first used by serve[${first}])`);
    seen.set(entry.name, index);
    if ((entry.path === undefined) === (entry.publish === undefined)) report(at, 'give either path (a directory to serve) or publish (an update repository atomlab builds), not both or neither');
    const publish = publishPlan(entry, at, report);
    const delay = delayPlan(entry, at, report);
    return { name: entry.name, path: servePath(entry, scenarioDir, at, report), ...(publish ? { publish } : {}), ...(delay ? { delay } : {}) };
  });
}

/** The served directories of one lab: published repositories live in its own state directory. */
export function serveForLab(serve: ServePlan[], stateDir: string): ServePlan[] {
  return serve.map((entry) => (entry.publish ? { ...entry, path: publishedServeDir(stateDir, entry.name) } : entry));
}

/** `serve.NAME` for every served directory, known but filled in later (at seed or step time). */
export function deferredServeVars(serve: readonly Pick<ServePlan, 'name'>[]): TemplateVars {
  return Object.fromEntries(serve.map((entry) => [`serve.${entry.name}`, DEFERRED]));
}
