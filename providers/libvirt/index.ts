import type { Provider } from '../../lab/provider/index.js';
import { LibvirtProvider } from './provider.js';
import { resolveOptions } from './options.js';

/** What the registry sees: builds the provider from its scenario options (uri, pool, network, …). */
export function createProvider(options: Record<string, unknown>): Provider {
  return new LibvirtProvider(resolveOptions(options));
}

export { LibvirtProvider, snapshotXml } from './provider.js';
export { resolveOptions, isLocalUri } from './options.js';
export type { LibvirtOptions } from './options.js';
export type { LibvirtVmData } from './create-vm.js';
export { LibvirtError } from './libvirt-client.js';
