export type { Provider, Snapshots, Resources, LabHooks, HostResources, VmRef, VmState, Probe, StopOptions, Endpoint, DiskRequest, BaseDisk, CreateRequest, CloudCreateRequest, LabInfo, LabResource, Inventory, TaggedResource } from './provider.js';
export { hasSnapshots, hasResources, hasLabHooks, hasInventory } from './provider.js';
export { ProviderRegistry, defineProvider } from './registry.js';
export type { ProviderContext, ProviderDefinition, ProviderModule, RegisteredProvider } from './registry.js';
