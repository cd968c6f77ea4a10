export { loadScenario, DEFAULT_SCENARIO } from './load-scenario.js';
export type { LoadOptions, LoadedScenario } from './load-scenario.js';
export { ScenarioSchema, scenarioJsonSchema, PROVIDER_NAMES, SOUND_MODELS, IMAGE_FORMATS, COMPRESSIONS } from './schema.js';
export type { Scenario, VmEntry, VmSettings, ImageSpec, ImageRef, ProviderRef } from './schema.js';
export type * from './plan-types.js';
export { mergeDeep } from './merge-settings.js';
export { StepSchema, STEP_KINDS, TARGET_KINDS } from './steps-schema.js';
export type { StepEntry } from './steps-schema.js';
