import type { VmSettings } from './schema.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Deep merge of mappings; later layers win; lists and scalars are replaced, not merged. */
export function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? mergeDeep(current, value) : value;
  }
  return result;
}

/**
 * Layers VM settings in the one order atomlab uses: scenario defaults < VM < command-line flags.
 * (Catalog values come first, applied when the plan is resolved.) An image or provider given as
 * a string replaces an object from a lower layer whole.
 */
export function layerSettings(...layers: (VmSettings | undefined)[]): VmSettings {
  let merged: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    const { image, provider, ...rest } = layer;
    merged = mergeDeep(merged, rest);
    if (image !== undefined) merged.image = image;
    if (provider !== undefined) merged.provider = provider;
  }
  return merged as VmSettings;
}
