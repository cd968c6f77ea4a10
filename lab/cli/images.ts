import type { Command } from 'commander';
import { printJson, runAction } from './run-action.js';

export function register(program: Command): void {
  const images = program.command('images').description('the image catalog and cache');
  images
    .command('ls')
    .description('list the image catalog')
    .requiredOption('--catalog', 'list the catalog of known images')
    .option('--json', 'one JSON document on stdout')
    .action(
      runAction(async (options: { catalog?: boolean; json?: boolean }) => {
        const { loadCatalog, renderCatalog } = await import('../catalog/index.js');
        const catalog = await loadCatalog();
        if (options.json) printJson({ catalog: catalog.entries });
        else process.stdout.write(`${renderCatalog(catalog.entries)}\n`);
      }),
    );
}
