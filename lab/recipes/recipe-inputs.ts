import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runScript } from './run-script.js';

/** What a recipe is built from: its files, the shared helpers, and what `build resolve` prints. */
export interface RecipeInputs {
  hash: string;
  /** Output of `build resolve`: pinned packages (tiny) or the package list (cloudinit). */
  resolved: string;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

async function hashFiles(hash: ReturnType<typeof createHash>, root: string, dir: string): Promise<void> {
  for (const file of await listFiles(dir)) {
    const [content, info] = await Promise.all([readFile(file), stat(file)]);
    const executable = info.mode & 0o111 ? 'x' : '-';
    const digest = createHash('sha256').update(content).digest('hex');
    hash.update(`${relative(root, file)}\0${executable}\0${digest}\n`);
  }
}

/** Hashes a recipe's build inputs, so that a change rebuilds it and nothing else does. */
export async function recipeInputs(root: string, name: string, signal?: AbortSignal): Promise<RecipeInputs> {
  const resolved = await runScript(join(root, name, 'build'), ['resolve'], { signal, capture: true });
  const hash = createHash('sha256').update('atomlab-recipe-v1\n');
  await hashFiles(hash, root, join(root, name));
  await hashFiles(hash, root, join(root, 'lib'));
  hash.update(`resolved:\n${resolved}`);
  return { hash: hash.digest('hex'), resolved };
}
