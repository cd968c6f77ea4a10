import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomlabError } from '../errors/index.js';
import { atomlabHome } from '../home/index.js';
import { requireTool } from '../host/index.js';
import { acquireLock } from '../files/index.js';
import { recipeInputs } from './recipe-inputs.js';
import { RECIPES, findRecipe, recipesRoot, type RecipeInfo } from './recipes.js';
import { runScript } from './run-script.js';

export interface BuildRecipeOptions {
  /** Where built images are kept (default: <atomlab home>/recipes). */
  cacheDir?: string;
  signal?: AbortSignal;
  /** Receives build output line by line. */
  log?: (line: string) => void;
}

export interface BuiltRecipe {
  path: string;
  format: 'qcow2';
  /** sha256 of the recipe's build inputs; the image's file name carries its first 16 digits. */
  inputsHash: string;
  /** True when the image was already in the cache. */
  cached: boolean;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

function recipeOrThrow(name: string): RecipeInfo {
  const recipe = findRecipe(name);
  if (recipe) return recipe;
  throw new AtomlabError(`no recipe named "${name}"`, {
    code: 'BAD_INPUT',
    hint: `known recipes: ${RECIPES.map((r) => r.name).join(', ')}`,
  });
}

async function checkHost(recipe: RecipeInfo): Promise<void> {
  for (const tool of recipe.tools) await requireTool(tool);
  if (process.getuid?.() !== 0) {
    throw new AtomlabError(`building the ${recipe.name} guest needs root (it mounts a loop device)`, {
      code: 'MISSING_TOOL',
      hint: 'run the build as root (sudo), or copy a built image into the cache',
    });
  }
}

/**
 * Builds a test guest image from its recipe (images/recipes/<name>/), or returns the cached
 * one when its build inputs are unchanged. One build per recipe at a time (a lock file).
 */
export async function buildRecipe(name: string, options: BuildRecipeOptions = {}): Promise<BuiltRecipe> {
  const recipe = recipeOrThrow(name);
  const cacheDir = options.cacheDir ?? join(atomlabHome(), 'recipes');
  const root = recipesRoot();
  const inputs = await recipeInputs(root, name, { memoDir: join(cacheDir, 'resolved'), signal: options.signal });
  const path = join(cacheDir, `${name}-${inputs.hash.slice(0, 16)}.qcow2`);
  const result = { path, format: 'qcow2' as const, inputsHash: inputs.hash };
  if (await exists(path)) return { ...result, cached: true };
  await checkHost(recipe);
  await mkdir(cacheDir, { recursive: true });
  const release = await acquireLock(join(cacheDir, `${name}.lock`), options.signal);
  try {
    if (await exists(path)) return { ...result, cached: true };
    await buildInto(cacheDir, root, name, inputs.resolved, path, options);
    return { ...result, cached: false };
  } finally {
    await release();
  }
}

async function buildInto(
  cacheDir: string,
  root: string,
  name: string,
  resolved: string,
  path: string,
  options: BuildRecipeOptions,
): Promise<void> {
  const work = await mkdtemp(join(cacheDir, `.build-${name}-`));
  try {
    await writeFile(join(work, 'packages.lock'), resolved);
    const debs = join(cacheDir, 'debs');
    await mkdir(debs, { recursive: true });
    await runScript(join(root, name, 'build'), ['image', work], {
      signal: options.signal,
      log: options.log,
      env: { ...process.env, DEBS_DIR: debs },
    });
    await rename(join(work, 'disk.qcow2'), path);
  } finally {
    await removeWorkDir(work);
  }
}

/** Removes a build directory, unless something is still mounted below it (then says so). */
async function removeWorkDir(work: string): Promise<void> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  const busy = mounts.split('\n').some((line) => {
    const target = line.split(' ')[1] ?? '';
    return target === work || target.startsWith(`${work}/`);
  });
  if (busy) {
    throw new AtomlabError(`left ${work} in place: something is still mounted below it`, {
      code: 'IO',
      hint: `unmount it (grep ${work} /proc/mounts), then remove the directory`,
    });
  }
  await rm(work, { recursive: true, force: true });
}
