import { dataUrlBytes } from './data-url.js';
import type { IgnitionConfig } from './merge-ignition.js';

/** The path renderIgnition writes the pinned host key's public half to. */
export const HOST_KEY_PUB = '/etc/ssh/ssh_host_ed25519_key.pub';

/**
 * The contents an Ignition config writes to a file, when it gives them inline as a data URL
 * (as atomlab's own configs do); undefined when it writes no such file or fetches it from elsewhere.
 * The last entry for a path wins, as in Ignition's merge.
 */
export function writtenFile(config: IgnitionConfig, path: string): Buffer | undefined {
  const files = (config.storage as { files?: unknown } | undefined)?.files;
  if (!Array.isArray(files)) return undefined;
  const entry = (files as { path?: unknown; contents?: { source?: unknown } }[]).findLast((file) => file.path === path);
  const source = entry?.contents?.source;
  return typeof source === 'string' ? dataUrlBytes(source) : undefined;
}

/** The ed25519 host public key an Ignition config installs (the pin atomlab wrote into it). */
export function ignitionHostKey(config: IgnitionConfig): string | undefined {
  const key = writtenFile(config, HOST_KEY_PUB)?.toString('utf8').trim();
  return key || undefined;
}
