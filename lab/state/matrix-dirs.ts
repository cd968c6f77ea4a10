import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { labStateDir } from './lab-paths.js';

/** One lab's state directory under a scenario: the plain lab's, or a matrix combination's. */
export interface StateDirEntry {
  dir: string;
  /** Set for a matrix combination (its directory name under `.atomlab/matrix/`). */
  combinationKey?: string;
}

/** Where a matrix keeps its combinations' labs: `.atomlab/matrix/<combination>/`. */
export function matrixStateDir(scenarioFile: string, combinationKey: string): string {
  return join(labStateDir(scenarioFile), 'matrix', combinationKey);
}

/**
 * Every lab state directory a scenario may have left, found from the file system alone (so
 * `down` works when the scenario no longer validates): `.atomlab/` and each matrix combination's.
 */
export async function labStateDirs(scenarioFile: string): Promise<StateDirEntry[]> {
  const matrix = join(labStateDir(scenarioFile), 'matrix');
  const entries = await readdir(matrix, { withFileTypes: true }).catch(() => []);
  const combinations = entries.filter((entry) => entry.isDirectory()).map((entry) => ({ dir: join(matrix, entry.name), combinationKey: entry.name }));
  return [{ dir: labStateDir(scenarioFile) }, ...combinations.sort((a, b) => a.combinationKey.localeCompare(b.combinationKey))];
}
