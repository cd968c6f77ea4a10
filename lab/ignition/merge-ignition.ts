/** An Ignition config (or part of one) as plain JSON data. */
export type IgnitionConfig = { [key: string]: unknown };

function isObject(value: unknown): value is IgnitionConfig {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key that names an entry of each list of the spec: entries with the same key are one. */
const IDENTITY: Record<string, string> = {
  users: 'name',
  groups: 'name',
  units: 'name',
  dropins: 'name',
  files: 'path',
  directories: 'path',
  links: 'path',
  disks: 'device',
  partitions: 'label',
  filesystems: 'device',
  raid: 'name',
  luks: 'name',
};

function mergeList(key: string, base: unknown[], overlay: unknown[]): unknown[] {
  const id = IDENTITY[key];
  if (!id) return [...base, ...overlay.filter((item) => !base.includes(item))];
  const merged = [...base];
  for (const item of overlay) {
    const at = isObject(item) && item[id] !== undefined ? merged.findIndex((mine) => isObject(mine) && mine[id] === item[id]) : -1;
    if (at >= 0) merged[at] = mergeIgnition(merged[at] as IgnitionConfig, item as IgnitionConfig);
    else merged.push(item);
  }
  return merged;
}

/**
 * Layers `overlay` on `base` the way Ignition merges configs (`ignition.config.merge`): entries
 * of keyed lists (files by path, users by name, units by name, …) merge field by field, other
 * lists (keys, groups) append, objects merge, and on anything else the overlay wins.
 */
export function mergeIgnition(base: IgnitionConfig, overlay: IgnitionConfig): IgnitionConfig {
  const merged: IgnitionConfig = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const mine = merged[key];
    if (Array.isArray(mine) && Array.isArray(value)) merged[key] = mergeList(key, mine, value);
    else if (isObject(mine) && isObject(value)) merged[key] = mergeIgnition(mine, value);
    else merged[key] = value;
  }
  return merged;
}
