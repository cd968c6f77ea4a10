import type { Provider, ProviderContext } from '../../lab/provider/index.js';
import { resolveGceOptions, type GceScenarioOptions } from './options.js';
import { GceProvider } from './provider.js';

/** What the registry sees: a GCE provider from the scenario's (checked) provider options. */
export function createProvider(options: GceScenarioOptions, context?: ProviderContext): Provider {
  return new GceProvider({ ...resolveGceOptions(options), log: context?.log });
}

export { GceProvider };
export type { GceVmData, GceProviderSettings } from './provider.js';
export { gceOptions, resolveGceOptions } from './options.js';
export type { GceOptions, GceScenarioOptions } from './options.js';
