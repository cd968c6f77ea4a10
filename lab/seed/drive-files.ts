import { stringify } from 'yaml';
import type { SeedData } from './seed-types.js';

/** What a seed drive holds: `/`-separated relative paths to contents (text is written as UTF-8). */
export type DriveFiles = Record<string, string | Uint8Array>;

/** cloud-init reads YAML 1.1: `yes`, `on`, `0755` … come out quoted when they are strings. */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0 });
}

/**
 * The meta-data mapping every transport starts from: `instance-id` and `local-hostname`, then
 * the seed's own keys (a `local-hostname` there wins). `instance-id` is always the seed's: it is
 * what makes cloud-init treat the VM as new.
 */
export function metaDataOf(data: SeedData): Record<string, unknown> {
  const hostname = data.hostname === '' ? {} : { 'local-hostname': data.hostname };
  return { ...hostname, ...data.metaData, 'instance-id': data.instanceId };
}

/** The network config as cloud-init's NoCloud `network-config` wants it: without a `network:` wrapper. */
export function unwrapNetworkConfig(config: Record<string, unknown>): Record<string, unknown> {
  const inner = config.network;
  const wrapped = Object.keys(config).length === 1 && typeof inner === 'object' && inner !== null && !Array.isArray(inner);
  return wrapped ? (inner as Record<string, unknown>) : config;
}

/** A NoCloud seed's files: `user-data`, `meta-data`, and `network-config` / `vendor-data` when set. */
export function nocloudFiles(data: SeedData): DriveFiles {
  const files: DriveFiles = { 'user-data': data.userData, 'meta-data': toYaml(metaDataOf(data)) };
  if (data.networkConfig !== undefined) files['network-config'] = toYaml(unwrapNetworkConfig(data.networkConfig));
  if (data.vendorData !== undefined) files['vendor-data'] = data.vendorData;
  return files;
}
