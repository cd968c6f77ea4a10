import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where atomlab keeps what outlives a lab (the image cache, built guests, host probes):
 * $ATOMLAB_HOME, else $XDG_CACHE_HOME/atomlab, else ~/.cache/atomlab.
 */
export function atomlabHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ATOMLAB_HOME) return env.ATOMLAB_HOME;
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cache, 'atomlab');
}

/** The image cache: content-addressed entries and their locks. */
export function imageCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(atomlabHome(env), 'images');
}
