import { pullImage, type ImageSource, type PullProgress } from '../images/index.js';
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
  };
}

function describeProgress(p: PullProgress): string {
  const mib = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;
  const total = p.total ? ` of ${mib(p.total)}` : '';
  const eta = p.etaSeconds !== undefined ? `, ${Math.ceil(p.etaSeconds)} s left` : '';
  return `${mib(p.bytes)}${total} at ${mib(p.rate)}/s${eta}${p.resumed ? ' (resumed)' : ''}`;
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
