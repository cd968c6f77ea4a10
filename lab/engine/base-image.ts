import { describeProgress, pullImage, type ImageSource } from '../images/index.js';
import { buildRecipe } from '../recipes/index.js';
import type { ImagePlan } from '../scenario/index.js';
import type { Workspace } from '../provider/index.js';

export interface BaseImageOptions {
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

/** The cached base image for a plan: downloaded and verified, or built locally from a recipe. */
export async function baseImage(image: ImagePlan, options: BaseImageOptions = {}): Promise<Workspace['baseImage']> {
  if (image.recipe) {
    const built = await buildRecipe(image.recipe, { signal: options.signal, log: options.onProgress });
    return { path: built.path, format: built.format };
  }
  const pulled = await pullImage(imageSource(image), {
    signal: options.signal,
    onProgress: (p) => options.onProgress?.(describeProgress(p)),
  });
  return { path: pulled.path, format: pulled.format };
}
