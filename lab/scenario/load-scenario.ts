import { loadCatalog, type Catalog } from '../catalog/index.js';
import { InvalidFileError } from '../errors/index.js';
import { readYamlFile, sortProblems, validateWithSchema } from '../yaml/index.js';
import type { LabPlan } from '../plan/index.js';
import { scaleProblems } from './check-scale.js';
import { checkIgnitionFragments } from './ignition-fragments.js';
import { resolvePlan } from './resolve-plan.js';
import type { ProviderRegistry } from '../provider/index.js';
import { scenarioSchema, type Scenario, type VmSettings } from './schema.js';

export const DEFAULT_SCENARIO = 'atomlab.yaml';

export interface LoadOptions {
  /** The providers this atomlab has (providers/registry.ts): their options compose the schema. */
  providers: ProviderRegistry;
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
export async function loadScenario(file: string, options: LoadOptions): Promise<LoadedScenario> {
  const source = await readYamlFile(file);
  const shape = validateWithSchema(source, scenarioSchema(options.providers.providers));
  if (!shape.data) throw new InvalidFileError(shape.problems);
  const scale = scaleProblems(source, shape.data);
  if (scale.length > 0) throw new InvalidFileError(scale);
  const catalog = options.catalog ?? (await loadCatalog());
  const { plans, problems, fragments } = resolvePlan(source, shape.data, { catalog, overrides: options.overrides, providers: options.providers });
  if (!plans?.length) throw new InvalidFileError(sortProblems(problems));
  const judged = await checkIgnitionFragments(source, fragments);
  if (judged.length > 0) throw new InvalidFileError(sortProblems(judged));
  return { scenario: shape.data, plans, plan: plans[0]! };
}
