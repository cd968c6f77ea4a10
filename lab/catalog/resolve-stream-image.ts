import { AtomlabError } from '../errors/index.js';
import type { ImagePlan } from '../plan/index.js';
import { fetchStream, type StreamFetchOptions } from './stream-cache.js';
import { diskFormatOf, pickArtifact } from './stream-metadata.js';

export interface StreamImageOptions extends StreamFetchOptions {
  /** The provider that boots it: picks the platform and format (qemu and libvirt: qemu, qcow2.xz). */
  provider: string;
  /** One line worth telling the user (a stale copy used offline). */
  log?: (line: string) => void;
}

/**
 * A stream image made concrete: the current build's URL and sha256 for the provider's
 * platform and format, read from the (cached) stream metadata. Other images pass unchanged.
 */
export async function resolveStreamImage(image: ImagePlan, options: StreamImageOptions): Promise<ImagePlan> {
  if (!image.stream) return image;
  const fetched = await fetchStream(image.stream.url, options);
  if (fetched.note) options.log?.(fetched.note);
  const artifact = pickArtifact(fetched.document, { architecture: image.stream.architecture, provider: options.provider });
  const disk = diskFormatOf(artifact.format);
  if (!disk) {
    throw new AtomlabError(`${image.id}: the ${artifact.platform} artifact is ${artifact.format}, which the ${options.provider} provider cannot boot as a disk`, { code: 'BAD_INPUT', context: { provider: options.provider } });
  }
  return {
    ...image,
    title: `${image.title}: ${artifact.release}`,
    url: artifact.location,
    digest: { algorithm: 'sha256', hex: artifact.sha256 },
    format: disk.format,
    compression: disk.compression,
    verify: true,
  };
}
