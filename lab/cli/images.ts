import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { App } from './app.js';
import { AtomlabError } from '../errors/index.js';
import type { ImageSource, PulledImage } from '../images/index.js';
import { interruptSignal } from './interrupt.js';
import { printJson, runAction } from './run-action.js';

/** Turns a catalog id into an image source, or names the recipe that builds it here. */
export type CatalogResolver = (id: string) => Promise<ImageSource & { recipe?: string }>;

/** The image catalog (images/*.yaml): the same resolution a scenario's `image: ID` gets. */
export async function resolveCatalogId(id: string): Promise<ImageSource & { recipe?: string }> {
  const [{ loadCatalog, catalogEntry, resolveStreamImage }, { fromCatalog }, { imageSource }] = await Promise.all([
    import('../catalog/index.js'),
    import('../scenario/resolve-image.js'),
    import('../engine/image-stage.js'),
  ]);
  // a stream entry pulls the build its (cached) stream document names for QEMU
  const plan = await resolveStreamImage(fromCatalog(catalogEntry(await loadCatalog(), id)), { provider: 'qemu', log: (line) => process.stderr.write(`${line}\n`) });
  return { ...imageSource(plan), recipe: plan.recipe };
}

interface PullFlags {
  sha256?: string;
  json?: boolean;
}

/** A URL or an existing path is taken as is; anything else is a catalog id. */
export async function sourceFromArgument(argument: string, flags: PullFlags, resolveId: CatalogResolver): Promise<ImageSource> {
  const digest = flags.sha256 ? { algorithm: 'sha256' as const, hex: flags.sha256 } : undefined;
  let source: ImageSource;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(argument)) source = { url: argument, verify: false };
  else if (await stat(argument).catch(() => undefined)) source = { path: resolve(argument), verify: false };
  else source = await resolveId(argument);
  return digest ? { ...source, digest, checksumUrl: undefined, verify: true } : source;
}

const MiB = 1024 * 1024;

/** Pulls with a listr2 task on stderr (live progress on a terminal, one line per step otherwise). */
async function pullWithProgress(source: ImageSource, signal: AbortSignal): Promise<PulledImage> {
  const [{ Listr, ListrLogger, ProcessOutput }, { pullImage, describeProgress }] = await Promise.all([import('listr2'), import('../images/index.js')]);
  const live = Boolean(process.stderr.isTTY);
  let result: PulledImage | undefined;
  const list = new Listr(
    [{
      title: `pull ${source.id ?? source.url ?? source.path}`,
      task: async (_ctx, task) => {
        result = await pullImage(source, { signal, onProgress: live ? (p) => (task.output = describeProgress(p)) : undefined });
        task.title = `${result.cached ? 'cached' : 'pulled'} ${result.id} (${result.format}, ${(result.virtualSize / MiB).toFixed(0)} MiB)`;
      },
    }],
    {
      renderer: live ? 'default' : 'simple',
      // everything to stderr: stdout carries only the result (a path, or --json)
      rendererOptions: { logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }) },
      exitOnError: true,
      registerSignalListeners: false, // our own SIGINT handler aborts the pull and cleans up (exit 130)
    },
  );
  await list.run();
  return result!;
}

/** Runs a pull under the CLI's one Ctrl-C handling (lab/cli/interrupt): exit 130, nothing cached. */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = interruptSignal();
  try {
    return await work(interrupt.signal);
  } catch (error) {
    if (!interrupt.signal.aborted) throw error;
    throw new AtomlabError('interrupted: nothing was cached; the next pull continues the download', { code: 'INTERRUPTED', cause: error });
  } finally {
    interrupt.dispose();
  }
}

/** A catalog image built here from Debian packages (tiny, cloudinit): built once, then cached. */
async function buildWithProgress(id: string, recipe: string, signal: AbortSignal): Promise<PulledImage> {
  const [{ buildRecipe }, { imageInfo, sha256Of }] = await Promise.all([import('../recipes/index.js'), import('../images/index.js')]);
  process.stderr.write(`building ${id} from Debian packages (once per machine)…\n`);
  const built = await buildRecipe(recipe, { signal, log: (line) => process.stderr.write(`  ${line}\n`) });
  const [info, sha256] = await Promise.all([imageInfo(built.path), sha256Of(built.path)]);
  return { id, path: built.path, sha256, format: built.format, virtualSize: info.virtualSize, cached: built.cached };
}

async function pullAction(argument: string, flags: PullFlags, resolveId: CatalogResolver): Promise<void> {
  const source = await sourceFromArgument(argument, flags, resolveId);
  const recipe = (source as { recipe?: string }).recipe;
  const image = await interruptible((signal) => (recipe ? buildWithProgress(argument, recipe, signal) : pullWithProgress(source, signal)));
  const { id, path, sha256, format, virtualSize } = image;
  if (flags.json) printJson({ id, path, sha256, format, virtualSize });
  else process.stdout.write(`${path}\n`);
}

async function catalogAction(flags: { json?: boolean }): Promise<void> {
  const { loadCatalog, renderCatalog } = await import('../catalog/index.js');
  const catalog = await loadCatalog();
  if (flags.json) printJson({ catalog: catalog.entries });
  else process.stdout.write(`${renderCatalog(catalog.entries)}\n`);
}

/** `atomlab images …`, with the catalog resolver injectable (tests, and the catalog itself). */
export function registerImages(program: Command, resolveId: CatalogResolver = resolveCatalogId): void {
  const images = program.command('images').description('download, verify and cache base images');
  images
    .command('pull')
    .description('download, verify and decompress an image into the cache')
    .argument('<image>', 'catalog id, http(s)/file URL, or path')
    .option('--sha256 <hex>', 'the sha256 the published file must have')
    .option('--json', 'print {id, path, sha256, format, virtualSize} as JSON')
    .action(runAction((argument: string, flags: PullFlags) => pullAction(argument, flags, resolveId)));
  images.command('ls').description('list cached images, or with --catalog the images atomlab knows').option('--catalog', 'list the image catalog').option('--json', 'print JSON')
    .action(runAction(async (flags: { json?: boolean; catalog?: boolean }) => (flags.catalog ? catalogAction(flags) : (await import('./images-cache.js')).listAction(flags))));
  images.command('rm').description('remove cached images').argument('<ids...>', 'id, URL or sha256 (12+ characters)')
    .action(runAction(async (ids: string[]) => (await import('./images-cache.js')).removeAction(ids)));
  images.command('prune').description('remove partial downloads and incomplete entries')
    .action(runAction(async () => (await import('./images-cache.js')).pruneAction()));
  images.command('verify').description('re-hash the cache; remove entries that no longer match').option('--json', 'print JSON')
    .action(runAction(async (flags: { json?: boolean }) => (await import('./images-cache.js')).verifyAction(flags)));
}

export function register(program: Command, _app: App): void {
  registerImages(program);
}
