import { gzipSync } from 'node:zlib';
import { metaDataOf, unwrapNetworkConfig } from './drive-files.js';
import type { SeedData } from './seed-types.js';

export const GUESTINFO_ENCODING = 'gzip+base64';

function encode(text: string): string {
  return gzipSync(Buffer.from(text, 'utf8'), { level: 9 }).toString('base64');
}

/** The metadata document: meta-data with `network` (the network config, unwrapped) when set, as JSON. */
export function guestinfoMetadata(data: SeedData): string {
  const metadata = metaDataOf(data);
  if (data.networkConfig !== undefined) metadata.network = unwrapNetworkConfig(data.networkConfig);
  return JSON.stringify(metadata);
}

/**
 * VMware guestinfo keys for cloud-init's VMware datasource: `guestinfo.metadata`,
 * `guestinfo.userdata` and (when set) `guestinfo.vendordata`, each gzip+base64 with its
 * `.encoding` key beside it.
 */
export function guestinfoKeys(data: SeedData): Record<string, string> {
  const documents: [string, string | undefined][] = [
    ['metadata', guestinfoMetadata(data)],
    ['userdata', data.userData],
    ['vendordata', data.vendorData],
  ];
  const keys: Record<string, string> = {};
  for (const [name, text] of documents) {
    if (text === undefined) continue;
    keys[`guestinfo.${name}`] = encode(text);
    keys[`guestinfo.${name}.encoding`] = GUESTINFO_ENCODING;
  }
  return keys;
}

/** Keys as `.vmx` lines (`key = "value"`); the values are base64 or plain words, nothing to escape. */
export function vmxLines(keys: Record<string, string>): string {
  return Object.entries(keys)
    .map(([key, value]) => `${key} = ${JSON.stringify(value)}\n`)
    .join('');
}
