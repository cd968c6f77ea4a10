import type { ProviderRegistry } from '../provider/index.js';

/** What the composition root (bin/atomlab.js) hands every command: nothing global, nothing imported upward. */
export interface App {
  /** The providers this atomlab has (providers/registry.ts). */
  providers: ProviderRegistry;
}
