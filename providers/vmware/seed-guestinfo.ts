import { ignitionGuestinfo } from '../../lab/ignition/index.js';
import type { SeedMedium } from '../../lab/seed/index.js';

/**
 * The guestinfo keys a seed travels in on VMware (.vmx entries on Workstation/Player, extraConfig
 * on ESXi/vCenter): cloud-init's (`seed: guestinfo`) as written, or an Ignition config
 * (`seed: ignition`) as `guestinfo.ignition.config.data` with `.encoding` `gzip+base64`, which
 * Ignition's vmware platform reads, as Fedora CoreOS documents. Undefined: a seed of another kind.
 */
export function seedGuestinfo(seed: SeedMedium): Record<string, string> | undefined {
  if (seed.kind === 'keys') return seed.keys;
  if (seed.kind === 'ignition') return ignitionGuestinfo(seed.text);
  return undefined;
}
