import test from 'ava';
import { z } from 'zod';
import { untrackedResources } from '../../lab/engine/inventory.js';
import { defineProvider, ProviderRegistry, type Inventory, type Provider, type TaggedResource } from '../../lab/provider/index.js';
import type { LabState } from '../../lab/state/index.js';

/** A billable provider whose cloud holds an instance the state knows, its snapshot, and an orphan snapshot and key pair. */
const found: TaggedResource[] = [
  { kind: 'instance', id: 'server-1', state: 'ACTIVE' },
  { kind: 'snapshot', id: 'image-a', state: 'active', owner: 'server-1' },
  { kind: 'snapshot', id: 'image-b', state: 'active', owner: 'server-gone' },
  { kind: 'key-pair', id: 'atomlab-lab-1' },
];
const inventory: Partial<Provider> & Inventory = { name: 'cloudy', labResources: async () => found, removeLabResources: async () => [], removeImages: async () => [] };
const registry = new ProviderRegistry([
  defineProvider({ name: 'cloudy', options: z.strictObject({}), seedTransports: ['userdata'], billable: true, load: async () => ({ createProvider: () => inventory as Provider }) }),
]);

test('status leaves out what the state knows, and what belongs to something it knows (a snapshot of its server)', async (t) => {
  const state: LabState = { version: 1, lab: 'lab', scenario: 'atomlab.yaml', vms: {} };
  state.vms.vm1 = { provider: 'cloudy', providerOptions: {}, ref: { provider: 'cloudy', lab: 'lab', name: 'vm1', data: { serverId: 'server-1' } } } as unknown as LabState['vms'][string];
  const reports = await untrackedResources({ name: 'lab', stateDir: '/tmp/lab/.atomlab' }, state, [{ name: 'cloudy', options: {} }], registry);
  t.deepEqual(reports.flatMap((report) => report.resources.map((r) => r.id)), ['image-b', 'atomlab-lab-1']);
});
