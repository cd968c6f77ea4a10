export type { Provider, Snapshots, Resources, HostResources, VmRef, VmState, Workspace, Probe, StopOptions, Endpoint } from './provider.js';
export { hasSnapshots, hasResources } from './provider.js';
export { loadProvider, availableProviders } from './registry.js';
export type { ProviderFactory, ProviderContext } from './registry.js';
