import type { Provider, ProviderContext } from '../../lab/provider/index.js';
import { virtualboxOptions } from './options.js';
import { VirtualboxProvider } from './provider.js';

/** What the registry sees: builds the provider from its scenario options (vboxmanage, listen, startAttempts). */
export function createProvider(options: Record<string, unknown>, context?: ProviderContext): Provider {
  return new VirtualboxProvider(virtualboxOptions.parse(options), context);
}

export { VirtualboxProvider } from './provider.js';
export { virtualboxOptions } from './options.js';
export type { VirtualboxOptions } from './options.js';
export type { VboxVmData } from './vm-data.js';
