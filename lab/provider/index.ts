export type { Provider, Snapshots, VmRef, VmState, Workspace, Probe, StopOptions, Endpoint } from './provider.js';
export { hasSnapshots } from './provider.js';
export { loadProvider, availableProviders } from './registry.js';
export type { ProviderFactory, ProviderContext } from './registry.js';
