export { loadScenario, DEFAULT_SCENARIO } from './load-scenario.js';
export type { LoadOptions, LoadedScenario } from './load-scenario.js';
export { ScenarioSchema, scenarioJsonSchema, PROVIDER_NAMES, SOUND_MODELS, IMAGE_FORMATS, COMPRESSIONS } from './schema.js';
export type { Scenario, VmEntry, VmSettings, ImageSpec, ImageRef, ProviderRef, ServeEntry, Matrix } from './schema.js';
export { deferredServeVars } from './resolve-serve.js';
export { expandMatrix } from './expand-matrix.js';
export type { Combination } from './expand-matrix.js';
export type * from './plan-types.js';
export { mergeDeep } from './merge-settings.js';
