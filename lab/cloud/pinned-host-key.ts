import { parse } from 'yaml';

/**
 * The ed25519 host public key atomlab put in a VM's user-data (cloud-config `ssh_keys`), from a
 * plain `#cloud-config` or the cloud-config part of a MIME multi-part. Public: safe to keep.
 */
export function pinnedHostKey(userData: string): string | undefined {
  const start = userData.indexOf('#cloud-config');
  if (start < 0) return undefined;
  const rest = userData.slice(start);
  const end = rest.search(/\r?\n--[^\r\n]+/);
  const config = parse(end < 0 ? rest : rest.slice(0, end)) as { ssh_keys?: { ed25519_public?: unknown } } | null;
  const key = config?.ssh_keys?.ed25519_public;
  return typeof key === 'string' ? key.trim() : undefined;
}
