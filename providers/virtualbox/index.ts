import type { Provider, ProviderContext } from '../../lab/provider/index.js';
import type { VirtualboxOptions } from './options.js';
import { VirtualboxProvider } from './provider.js';

/** What the registry sees: a virtualbox provider from the scenario's (checked) provider options. */
export function createProvider(options: VirtualboxOptions, context?: ProviderContext): Provider {
  return new VirtualboxProvider(options, context);
}

export { VirtualboxProvider };
export { virtualboxOptions } from './options.js';
export type { VirtualboxOptions };
export type { VboxVmData } from './vm-data.js';
