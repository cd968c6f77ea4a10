/** Splits `deployments[0].version` (or `a.b.0`) into keys and indexes. */
export function parseJsonPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const part of path.replace(/^\$\.?/, '').split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) throw new Error(`bad JSON path segment "${part}" in ${path}`);
    if (match[1]) segments.push(/^\d+$/.test(match[1]) ? Number(match[1]) : match[1]);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  return segments;
}

/** The value at a path, or undefined when any step of it is missing. */
export function valueAtPath(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of parseJsonPath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
