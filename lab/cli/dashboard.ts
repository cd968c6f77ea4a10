import type { Command } from 'commander';
import { hostname } from 'node:os';
import type { App } from './app.js';
import { runAction } from './run-action.js';

interface DashboardFlags {
  listen: string;
  port?: number;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error('--port must be 0-65535');
  return n;
}

/** Until Ctrl-C or SIGTERM. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export function register(program: Command, app: App): void {
  program
    .command('dashboard')
    .description('a live web page of the lab: VM cards, consoles, reset/revert/recreate, step runs, the roster (needs the printed token)')
    .argument('[scenario]', 'scenario file', 'atomlab.yaml')
    .option('--listen <addr>', 'address to serve on (0.0.0.0: other machines, e.g. a classroom projector; still needs the token)', '127.0.0.1')
    .option('--port <n>', 'port (default: a free one)', port)
    .action(
      runAction(async (file: string, flags: DashboardFlags) => {
        const { startDashboard } = await import('../dashboard/index.js');
        const { loadScenario } = await import('../scenario/index.js');
        await loadScenario(file, { providers: app.providers }); // a scenario with mistakes is reported here, with FILE:LINE:COL
        const dashboard = await startDashboard({ file, providers: app.providers, listen: flags.listen, port: flags.port });
        const wildcard = flags.listen === '0.0.0.0' || flags.listen === '::';
        const shown = wildcard ? dashboard.url.replace(/\/\/[^/]+\//, `//${hostname()}:${dashboard.port}/`) : dashboard.url;
        process.stdout.write(`${shown}\n`);
        process.stderr.write(`atomlab dashboard of ${file}: open the URL above (anyone with it can reset VMs and see passwords); Ctrl-C stops it\n`);
        await untilInterrupted();
        await dashboard.close();
      }),
    );
}
