import { AtomlabError } from '../errors/index.js';

/**
 * CoreOS stream metadata (https://builds.coreos.fedoraproject.org/streams/<stream>.json), the
 * document Fedora CoreOS publishes for each stream; the shape of coreos/stream-metadata-go:
 * architectures.<arch>.artifacts.<platform> = {release, formats.<format>.disk = {location, sha256}}.
 */
export interface StreamArtifact {
  stream: string;
  architecture: string;
  platform: string;
  /** The stream's name for the file kind: qcow2.xz, raw.xz, vmdk.xz, ova, tar.gz, … */
  format: string;
  release: string;
  location: string;
  sha256: string;
  signature?: string;
}

/** Which platform's artifact, in which format, each provider boots. */
export const STREAM_ARTIFACTS: Record<string, { platform: string; format: string }> = {
  qemu: { platform: 'qemu', format: 'qcow2.xz' },
  libvirt: { platform: 'qemu', format: 'qcow2.xz' },
  openstack: { platform: 'openstack', format: 'qcow2.xz' },
  vmware: { platform: 'vmware', format: 'ova' },
  virtualbox: { platform: 'virtualbox', format: 'ova' },
  ec2: { platform: 'aws', format: 'vmdk.xz' },
  gce: { platform: 'gcp', format: 'tar.gz' },
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function field(node: unknown, key: string, where: string): Json {
  const value = isObject(node) ? node[key] : undefined;
  if (!isObject(value)) throw new AtomlabError(`stream metadata has no ${where}${key}`, { code: 'NOT_FOUND' });
  return value;
}

function text(node: Json, key: string, where: string): string {
  const value = node[key];
  if (typeof value !== 'string' || value === '') throw new AtomlabError(`stream metadata: ${where}${key} is not a string`, { code: 'FAILED' });
  return value;
}

/** Reads the artifact a provider needs out of a stream document (parsed JSON). */
export function pickArtifact(document: unknown, options: { architecture: string; provider: string }): StreamArtifact {
  const wanted = STREAM_ARTIFACTS[options.provider] ?? STREAM_ARTIFACTS.qemu!;
  const stream = isObject(document) && typeof document.stream === 'string' ? document.stream : 'unknown';
  const arch = field(field(document, 'architectures', ''), options.architecture, 'architectures.');
  const where = `architectures.${options.architecture}.artifacts.`;
  const platform = field(field(arch, 'artifacts', `architectures.${options.architecture}.`), wanted.platform, where);
  const format = field(field(platform, 'formats', `${where}${wanted.platform}.`), wanted.format, `${where}${wanted.platform}.formats.`);
  const disk = field(format, 'disk', `${where}${wanted.platform}.formats.${wanted.format}.`);
  const at = `${where}${wanted.platform}.formats.${wanted.format}.disk.`;
  const sha256 = text(disk, 'sha256', at).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AtomlabError(`stream metadata: ${at}sha256 is not a sha256 digest`, { code: 'FAILED' });
  const signature = typeof disk.signature === 'string' ? disk.signature : undefined;
  return { stream, architecture: options.architecture, platform: wanted.platform, format: wanted.format, release: text(platform, 'release', `${where}${wanted.platform}.`), location: text(disk, 'location', at), sha256, signature };
}

/** A stream format as atomlab's image fields: `qcow2.xz` → qcow2 compressed with xz. */
export function diskFormatOf(format: string): { format: 'raw' | 'qcow2' | 'vmdk' | 'vdi'; compression: 'xz' | 'gz' | 'none' } | undefined {
  const match = /^(raw|qcow2|vmdk|vdi)(?:\.(xz|gz))?$/.exec(format);
  if (!match) return undefined;
  return { format: match[1] as 'raw' | 'qcow2' | 'vmdk' | 'vdi', compression: (match[2] as 'xz' | 'gz' | undefined) ?? 'none' };
}
