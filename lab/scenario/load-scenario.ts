import { loadCatalog, type Catalog } from '../catalog/index.js';
import { InvalidFileError } from '../errors/index.js';
import { readYamlFile, sortProblems, validateWithSchema } from '../yaml/index.js';
import type { LabPlan } from './plan-types.js';
import { resolvePlan } from './resolve-plan.js';
import { ScenarioSchema, type Scenario, type VmSettings } from './schema.js';

export const DEFAULT_SCENARIO = 'atomlab.yaml';

export interface LoadOptions {
  catalog?: Catalog;
  overrides?: VmSettings;
}

export interface LoadedScenario {
  scenario: Scenario;
  /** One plan per lab: one for a plain scenario, one per combination of a `matrix:`. */
  plans: LabPlan[];
  /** The first of `plans` (the only one unless the scenario has a matrix). */
  plan: LabPlan;
}

/**
 * The one pipeline every scenario goes through: parse (keeping positions) → validate the shape
 * → resolve defaults and references into a plan. Every problem found is reported at once,
 * each as FILE:LINE:COL.
 */
export async function loadScenario(file = DEFAULT_SCENARIO, options: LoadOptions = {}): Promise<LoadedScenario> {
  const source = await readYamlFile(file);
  const shape = validateWithSchema(source, ScenarioSchema);
  if (!shape.data) throw new InvalidFileError(shape.problems);
  const catalog = options.catalog ?? (await loadCatalog());
  const { plans, problems } = resolvePlan(source, shape.data, { catalog, overrides: options.overrides });
  if (!plans?.length) throw new InvalidFileError(sortProblems(problems));
  return { scenario: shape.data, plans, plan: plans[0]! };
}
