import { AtomlabError } from '../errors/index.js';
import { PROVIDER_NAMES, type ProviderName } from '../scenario/index.js';
import type { Provider } from './provider.js';

/** A provider module's default export: builds the provider from its scenario options. */
export type ProviderFactory = (options: Record<string, unknown>) => Provider;

/**
 * Providers that exist, each loaded on demand so the CLI starts fast. A provider joins by adding
 * one line here: `name: () => import('../../providers/<name>/index.js')`.
 */
const LOADERS: Partial<Record<ProviderName, () => Promise<{ createProvider: ProviderFactory }>>> = {
  libvirt: () => import('../../providers/libvirt/index.js'),
};

export function availableProviders(): ProviderName[] {
  return PROVIDER_NAMES.filter((name) => LOADERS[name] !== undefined);
}

export async function loadProvider(name: ProviderName, options: Record<string, unknown> = {}): Promise<Provider> {
  const load = LOADERS[name];
  if (!load) {
    throw new AtomlabError(`provider "${name}" is not available in this version of atomlab`, {
      code: 'BAD_INPUT',
      hint: `available providers: ${availableProviders().join(', ') || 'none'}`,
      context: { provider: name },
    });
  }
  const module = await load();
  return module.createProvider(options);
}
