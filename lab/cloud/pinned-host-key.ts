import { parse } from 'yaml';
import { ignitionHostKey, type IgnitionConfig } from '../ignition/index.js';

/** The user-data as an Ignition config (a JSON object with an `ignition` section), else undefined. */
function asIgnition(userData: string): IgnitionConfig | undefined {
  if (!userData.trimStart().startsWith('{')) return undefined;
  try {
    const config = JSON.parse(userData) as unknown;
    return typeof config === 'object' && config !== null && 'ignition' in config ? (config as IgnitionConfig) : undefined;
  } catch {
    return undefined;
  }
}

/** The key of a `#cloud-config` (plain, or the cloud-config part of a MIME multi-part). */
function cloudConfigHostKey(userData: string): string | undefined {
  const start = userData.indexOf('#cloud-config');
  if (start < 0) return undefined;
  const rest = userData.slice(start);
  const end = rest.search(/\r?\n--[^\r\n]+/);
  const config = parse(end < 0 ? rest : rest.slice(0, end)) as { ssh_keys?: { ed25519_public?: unknown } } | null;
  const key = config?.ssh_keys?.ed25519_public;
  return typeof key === 'string' ? key.trim() : undefined;
}

/**
 * The ed25519 host public key atomlab put in a VM's user-data: cloud-config `ssh_keys` (plain
 * or in a MIME multi-part), or, for an Ignition config, the `/etc/ssh/ssh_host_ed25519_key.pub`
 * file it writes. Public: safe to keep.
 */
export function pinnedHostKey(userData: string): string | undefined {
  const ignition = asIgnition(userData);
  return ignition ? ignitionHostKey(ignition) : cloudConfigHostKey(userData);
}
