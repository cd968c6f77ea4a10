import type { Provider } from '../../lab/provider/index.js';
import { vmwareOptions, type VmwareOptions } from './options.js';
import { createVmwareProvider } from './provider.js';

/** What the registry sees: a vmware provider (Workstation, Player or ESXi) from its options. */
export function createProvider(options: VmwareOptions): Provider {
  return createVmwareProvider(options);
}

export { vmwareOptions };
export { DesktopProvider, EsxiProvider } from './provider.js';
export type { VmwareOptions };
export { vmwareSoundDevice } from './vmx-spec.js';
