import type { Provider, ProviderContext } from '../../lab/provider/index.js';
import { resolveOpenstackOptions, type OpenstackScenarioOptions } from './options.js';
import { OpenstackProvider } from './provider.js';

/** What the registry sees: an OpenStack provider from the scenario's (checked) provider options. */
export function createProvider(options: OpenstackScenarioOptions, context?: ProviderContext): Provider {
  return new OpenstackProvider({ ...resolveOpenstackOptions(options), log: context?.log });
}

export { OpenstackProvider };
export type { OpenstackVmData, OpenstackProviderSettings } from './provider.js';
export { openstackOptions, resolveOpenstackOptions } from './options.js';
export type { OpenstackOptions, OpenstackScenarioOptions } from './options.js';
