import type { Provider } from '../../lab/provider/index.js';
import { LibvirtProvider } from './provider.js';
import { resolveOptions, type LibvirtScenarioOptions } from './options.js';

/** What the registry sees: builds the provider from its (checked) scenario options (uri, pool, network, …). */
export function createProvider(options: LibvirtScenarioOptions): Provider {
  return new LibvirtProvider(resolveOptions(options));
}

export { LibvirtProvider, snapshotXml } from './provider.js';
export { resolveOptions, isLocalUri, libvirtOptions } from './options.js';
export type { LibvirtOptions, LibvirtScenarioOptions } from './options.js';
export type { LibvirtVmData } from './create-vm.js';
export { LibvirtError } from './libvirt-client.js';
