import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../files/index.js';
import { requireTool } from '../host/index.js';
import { runScript } from './run-script.js';

/** What a recipe is built from: its files, the shared helpers, and what `build resolve` prints. */
export interface RecipeInputs {
  hash: string;
  /** Output of `build resolve`: pinned packages (tiny) or the package list (cloudinit). */
  resolved: string;
}

const APT_LISTS = '/var/lib/apt/lists';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

/** sha256 over the files below the given directories (relative name, exec bit, content). */
async function hashTree(root: string, dirs: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of dirs) {
    for (const file of await listFiles(dir)) {
      const [content, info] = await Promise.all([readFile(file), stat(file)]);
      const digest = createHash('sha256').update(content).digest('hex');
      hash.update(`${relative(root, file)}\0${info.mode & 0o111 ? 'x' : '-'}\0${digest}\n`);
    }
  }
  return hash.digest('hex');
}

/** Identifies the state of apt's package lists (names, sizes, times), which resolution reads. */
async function aptListsStamp(): Promise<string> {
  const names = (await readdir(APT_LISTS).catch(() => [] as string[])).sort();
  const stamps = await Promise.all(names.map(async (name) => {
    const info = await stat(join(APT_LISTS, name)).catch(() => undefined);
    return `${name}:${info?.size ?? 0}:${info?.mtimeMs ?? 0}`;
  }));
  return stamps.join('\n');
}

/**
 * Runs `build resolve` (seconds: every apt-cache call rebuilds apt's cache here), remembering
 * the answer in memoDir for as long as the recipe and apt's package lists are unchanged.
 */
async function resolveMemo(root: string, name: string, treeHash: string, memoDir: string | undefined, signal?: AbortSignal): Promise<string> {
  const key = createHash('sha256').update(`${treeHash}\n${await aptListsStamp()}`).digest('hex').slice(0, 24);
  const memo = memoDir ? join(memoDir, `resolved-${name}-${key}.txt`) : undefined;
  const known = memo ? await readFile(memo, 'utf8').catch(() => undefined) : undefined;
  if (known !== undefined) return known;
  await requireTool('apt-get'); // resolve asks apt-cache, from the same package
  const resolved = await runScript(join(root, name, 'build'), ['resolve'], { signal, capture: true });
  if (memoDir && memo) {
    await mkdir(memoDir, { recursive: true });
    await writeFileAtomic(memo, resolved);
  }
  return resolved;
}

/** Hashes a recipe's build inputs, so that a change rebuilds it and nothing else does. */
export async function recipeInputs(
  root: string,
  name: string,
  options: { memoDir?: string; signal?: AbortSignal } = {},
): Promise<RecipeInputs> {
  const treeHash = await hashTree(root, [join(root, name), join(root, 'lib')]);
  const resolved = await resolveMemo(root, name, treeHash, options.memoDir, options.signal);
  const hash = createHash('sha256').update(`atomlab-recipe-v1\n${treeHash}\nresolved:\n${resolved}`).digest('hex');
  return { hash, resolved };
}
