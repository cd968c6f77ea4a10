import type { Provider } from '../../lab/provider/index.js';
import { DesktopProvider } from './desktop-provider.js';
import { EsxiProvider } from './esxi-provider.js';
import type { VmwareOptions } from './options.js';

/**
 * The vmware provider: `target: workstation | player` drives VMware on this machine through
 * vmrun; `target: esxi` drives an ESXi host or vCenter through the vSphere API. Both implement
 * the same Provider (plus snapshots and lab hooks); nothing VMware-specific crosses it.
 */
export function createVmwareProvider(options: VmwareOptions): Provider {
  if (options.target === 'esxi') return new EsxiProvider(options);
  return new DesktopProvider({ ...options, target: options.target });
}

export { DesktopProvider, EsxiProvider };
