import { AtomlabError } from '../errors/index.js';
import { PROVIDER_NAMES, type ProviderName } from '../scenario/index.js';
import type { Provider } from './provider.js';

/** What the engine gives every provider it builds. */
export interface ProviderContext {
  /** One line worth telling the user (an accelerator choice, a hardware fallback). */
  log(line: string): void;
}

/** A provider module's `createProvider`: builds the provider from its scenario options. */
export type ProviderFactory = (options: Record<string, unknown>, context: ProviderContext) => Provider;

/**
 * Providers that exist, each loaded on demand so the CLI starts fast. A provider joins by adding
 * one line here: `name: () => import('../../providers/<name>/index.js')`.
 */
const LOADERS: Partial<Record<ProviderName, () => Promise<{ createProvider: ProviderFactory }>>> = {
  qemu: () => import('../../providers/qemu/index.js'),
  virtualbox: () => import('../../providers/virtualbox/index.js'),
  libvirt: () => import('../../providers/libvirt/index.js'),
};

export function availableProviders(): ProviderName[] {
  return PROVIDER_NAMES.filter((name) => LOADERS[name] !== undefined);
}

export async function loadProvider(name: ProviderName, options: Record<string, unknown> = {}, context: ProviderContext = { log: () => undefined }): Promise<Provider> {
  const load = LOADERS[name];
  if (!load) {
    throw new AtomlabError(`provider "${name}" is not available in this version of atomlab`, {
      code: 'BAD_INPUT',
      hint: `available providers: ${availableProviders().join(', ') || 'none'}`,
      context: { provider: name },
    });
  }
  const module = await load();
  return module.createProvider(options, context);
}
