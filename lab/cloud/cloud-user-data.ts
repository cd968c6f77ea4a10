import { ignitionUserData } from '../ignition/index.js';
import type { SeedMedium } from '../seed/index.js';

/**
 * The user-data a cloud instance gets for its seed: the cloud-init user-data (`seed: userdata`),
 * or the Ignition config itself (`seed: ignition`, the bytes `atomlab cidata --format ignition`
 * writes), which Ignition's aws, openstack and gcp platforms read from the metadata service.
 * Undefined for any other medium (a drive, guestinfo keys): the provider says what it takes.
 */
export function cloudUserData(seed: SeedMedium): string | undefined {
  if (seed.kind === 'userdata') return seed.text;
  if (seed.kind === 'ignition') return ignitionUserData(seed.text);
  return undefined;
}
