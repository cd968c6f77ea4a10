import { AtomlabError } from '../errors/index.js';
import { metaDataOf, type DriveFiles } from './drive-files.js';
import { toNetworkData } from './network-data.js';
import type { SeedData } from './seed-types.js';

const LATEST = 'openstack/latest';

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** NoCloud's `public-keys` (a string of lines, a list, or a mapping of lists) as a list. */
function keyList(value: unknown): string[] {
  if (typeof value === 'string') return value.split('\n').filter((line) => line.trim() !== '');
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(keyList);
  return [];
}

/** OpenStack names each key; the key's comment when it is unique, else `key-N`. */
export function namedKeys(keys: string[]): Record<string, string> {
  const named: Record<string, string> = {};
  [...new Set(keys.map((key) => key.trim()))].forEach((key, i) => {
    const comment = key.split(/\s+/).slice(2).join(' ');
    named[comment !== '' && !(comment in named) ? comment : `key-${i + 1}`] = key;
  });
  return named;
}

/**
 * meta_data.json: `uuid` (the instance id), `hostname`, `name`, `public_keys`; other meta-data
 * keys are kept at the top level, where cloud-init's ConfigDrive source keeps them in its
 * metadata as NoCloud does, and `dsmode` goes under `meta` where that source reads it.
 */
export function configDriveMetaData(data: SeedData): Record<string, unknown> {
  const { 'instance-id': _id, 'local-hostname': hostname, 'public-keys': extraKeys, dsmode, ...extras } = metaDataOf(data);
  const meta = dsmode === undefined ? {} : { meta: { ...(extras.meta as object | undefined), dsmode } };
  return { ...extras, ...meta, uuid: data.instanceId, hostname, name: data.name, public_keys: namedKeys([...data.publicKeys, ...keyList(extraKeys)]) };
}

/** cloud-init refuses a config-2 drive whose meta_data.json has no `uuid`; so does atomlab, before writing. */
function requireUuid(data: SeedData): void {
  if (typeof data.instanceId === 'string' && data.instanceId.trim() !== '') return;
  throw new AtomlabError('a config-2 drive needs a uuid (the instance id), and this seed has none', {
    code: 'BAD_INPUT',
    hint: 'set instance-id in the meta-data (cloud-init rejects a config drive without uuid)',
  });
}

/** An OpenStack config-2 drive's files under openstack/latest/. */
export function configDriveFiles(data: SeedData): DriveFiles {
  requireUuid(data);
  const files: DriveFiles = {
    [`${LATEST}/meta_data.json`]: json(configDriveMetaData(data)),
    [`${LATEST}/user_data`]: data.userData,
  };
  if (data.networkConfig !== undefined) files[`${LATEST}/network_data.json`] = json(toNetworkData(data.networkConfig));
  if (data.vendorData !== undefined) files[`${LATEST}/vendor_data.json`] = json({ 'cloud-init': data.vendorData });
  return files;
}
