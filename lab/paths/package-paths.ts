import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package's root directory (where images/, templates/, scenarios/ live), from dist/ or source. */
export function packageRoot(): string {
  // this file is <root>/lab/paths/ in source and <root>/dist/lab/paths/ when compiled
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.includes(`${'/dist/'}lab/`) ? join(here, '..', '..', '..') : join(here, '..', '..');
}

export function packagePath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}

/** The installed package's version (its package.json), for --version. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}
