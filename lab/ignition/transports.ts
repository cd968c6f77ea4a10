import { gunzipSync, gzipSync } from 'node:zlib';
import { AtomlabError } from '../errors/index.js';

/** The fw_cfg file Ignition's qemu platform reads (/sys/firmware/qemu_fw_cfg/by_name/opt/com.coreos/config/raw). */
export const IGNITION_FWCFG_NAME = 'opt/com.coreos/config';

/** The VMware guestinfo keys Ignition's vmware platform reads (the OVF's properties of the same names too). */
export const GUESTINFO_DATA = 'guestinfo.ignition.config.data';
export const GUESTINFO_ENCODING = 'guestinfo.ignition.config.data.encoding';

export type GuestinfoEncoding = 'base64' | 'gzip+base64';

/**
 * An Ignition config as VMware guestinfo keys (.vmx `guestinfo.*` entries, ESXi ExtraConfig):
 * the config base64-encoded, gzipped first by default (guestinfo values are kept small that way).
 */
export function ignitionGuestinfo(configText: string, encoding: GuestinfoEncoding = 'gzip+base64'): Record<string, string> {
  const bytes = encoding === 'gzip+base64' ? gzipSync(Buffer.from(configText, 'utf8'), { level: 9 }) : Buffer.from(configText, 'utf8');
  return { [GUESTINFO_DATA]: bytes.toString('base64'), [GUESTINFO_ENCODING]: encoding };
}

/** What Ignition's vmware provider does with the keys: the config text back (for checks and tests). */
export function decodeIgnitionGuestinfo(keys: Record<string, string>): string {
  const data = keys[GUESTINFO_DATA];
  const encoding = keys[GUESTINFO_ENCODING] ?? '';
  if (data === undefined) throw new AtomlabError(`no ${GUESTINFO_DATA}`, { code: 'NOT_FOUND' });
  if (encoding === '') return data;
  const bytes = Buffer.from(data, 'base64');
  if (encoding === 'base64') return bytes.toString('utf8');
  if (encoding === 'gzip+base64') return gunzipSync(bytes).toString('utf8');
  throw new AtomlabError(`unsupported ${GUESTINFO_ENCODING} "${encoding}"`, { code: 'BAD_INPUT', hint: 'Ignition reads base64 and gzip+base64' });
}

/** Clouds (EC2, OpenStack, GCE) hand Ignition the config as the instance's user-data, unchanged. */
export function ignitionUserData(configText: string): string {
  return configText;
}
