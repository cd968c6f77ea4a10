/** A YAML mapping as plain data. */
export type Mapping = { [key: string]: unknown };

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * Layers `overlay` on `base`: lists append (base first), mappings merge key by key, and on
 * anything else the overlay wins. Neither argument is changed.
 */
export function mergeCloudConfig(base: Mapping, overlay: Mapping): Mapping {
  const merged: Mapping = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const mine = merged[key];
    if (Array.isArray(mine) && Array.isArray(value)) merged[key] = [...mine, ...value];
    else if (isMapping(mine) && isMapping(value)) merged[key] = mergeCloudConfig(mine, value);
    else merged[key] = value;
  }
  return merged;
}
