import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands.js';
import { exitCodeFor } from '../errors/index.js';
import { reportError } from './run-action.js';
import type { App } from './app.js';

/** Runs one atomlab command line; the exit code is left in process.exitCode. */
export async function runCli(argv: string[], app: App): Promise<void> {
  const program = new Command('atomlab')
    .description('Declarative, verified labs of Atomic-style container hosts on QEMU, libvirt and more')
    .version(process.env.npm_package_version ?? '0.1.0', '-V, --version')
    .showHelpAfterError('(run atomlab --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program, app);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander printed its message already; usage errors are bad input
      process.exitCode = error.exitCode === 0 ? 0 : 2;
    } else {
      reportError(error);
      process.exitCode = exitCodeFor(error);
    }
  }
}

export type { App } from './app.js';
