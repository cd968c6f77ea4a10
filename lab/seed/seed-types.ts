/**
 * A VM's seed as data, and the transports it can travel in. The engine renders one SeedData per
 * VM; the VM's provider and the scenario's `seed:` pick the transport; lab/seed writes it into
 * the SeedMedium the provider attaches. Plain data only: no provider types.
 */

/** How a seed reaches the guest (scenario `seed:`; `auto` resolves to the provider's first). */
export const SEED_TRANSPORTS = ['nocloud', 'nocloud-vfat', 'configdrive', 'configdrive-vfat', 'guestinfo', 'userdata', 'ignition'] as const;
export type SeedTransport = (typeof SEED_TRANSPORTS)[number];

/** What one VM's first boot is told, before it is written anywhere. */
export interface SeedData {
  /** New for every VM created: cloud-init runs per-instance work once per id; config-2's `uuid`. */
  instanceId: string;
  hostname: string;
  /** The VM's name (config-2 `name`). */
  name: string;
  /** `#cloud-config` text (or MIME multi-part), as rendered. */
  userData: string;
  /** The meta-data mapping (NoCloud `meta-data`; folded into config-2's meta_data.json). */
  metaData: Record<string, unknown>;
  /** Network config v1/v2 (NoCloud `network-config`, config-2 `network_data.json` is translated). */
  networkConfig?: Record<string, unknown>;
  vendorData?: string;
  /** Public keys the guest authorizes (config-2 `public_keys`). */
  publicKeys: string[];
  /** For `seed: ignition`: the VM's Ignition config (same user, keys, host key; the scenario's fragment merged). */
  ignition?: Record<string, unknown>;
}

/**
 * A written seed, ready for the provider to attach: a drive image (ISO or vfat, as a CD-ROM or
 * a disk), key/value pairs (VMware guestinfo), plain user-data (a cloud's metadata service), or an
 * Ignition config, which each provider carries its own way: QEMU and libvirt by fw_cfg under
 * `fwcfgName` (the file at `path`), VMware as `guestinfo.ignition.config.data` keys, clouds as
 * user-data (`text`, the same bytes as the file).
 */
export type SeedMedium =
  | { kind: 'drive'; transport: SeedTransport; path: string; filesystem: 'iso9660' | 'vfat'; label: 'cidata' | 'config-2'; attachAs: 'cdrom' | 'disk' }
  | { kind: 'keys'; transport: 'guestinfo'; keys: Record<string, string> }
  | { kind: 'userdata'; transport: 'userdata'; text: string }
  | { kind: 'ignition'; transport: 'ignition'; fwcfgName: string; path: string; text: string };
