import { resolveStreamImage } from '../catalog/index.js';
import { convertImage, describeProgress, imageInfo, pullImage, type ImageSource } from '../images/index.js';
import type { ImagePlan } from '../plan/index.js';
import type { BaseDisk, DiskRequest } from '../provider/index.js';
import { buildRecipe } from '../recipes/index.js';

export interface ImageStageOptions {
  /** The provider that boots it: a stream image's build is chosen for its platform. */
  provider?: string;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

export function imageSource(image: ImagePlan): ImageSource {
  return {
    id: image.id,
    url: image.url,
    path: image.path,
    digest: image.digest,
    checksumUrl: image.checksumUrl,
    signatureUrl: image.signatureUrl,
    keyFile: image.keyFile,
    format: image.format,
    verify: image.verify,
    box: image.box,
  };
}

/** The stage `image`: the cached base image, downloaded and verified, or built locally from a recipe. */
export async function cachedImage(plannedImage: ImagePlan, options: ImageStageOptions = {}): Promise<BaseDisk> {
  const image = await resolveStreamImage(plannedImage, { provider: options.provider ?? 'qemu', signal: options.signal, log: options.onProgress });
  if (image.recipe) {
    const built = await buildRecipe(image.recipe, { signal: options.signal, log: options.onProgress });
    const info = await imageInfo(built.path);
    return { path: built.path, format: built.format, digest: `recipe-${built.inputsHash}`, virtualBytes: info.virtualSize };
  }
  const pulled = await pullImage(imageSource(image), {
    signal: options.signal,
    onProgress: (p) => options.onProgress?.(describeProgress(p)),
  });
  return { path: pulled.path, format: pulled.format, digest: `sha256-${pulled.sha256}`, virtualBytes: pulled.virtualSize };
}

/**
 * The stage `disk`: the base in a format the provider takes: as it is when it already is, else
 * converted once (cached beside the image, so the next lab reuses the conversion).
 */
export async function diskFor(base: BaseDisk, request: DiskRequest): Promise<BaseDisk> {
  if (request.formats.includes(base.format) && !request.subformat) return base;
  const format = request.formats[0]!;
  const path = await convertImage(base, format, { subformat: request.subformat });
  return { ...base, path, format, subformat: request.subformat };
}
