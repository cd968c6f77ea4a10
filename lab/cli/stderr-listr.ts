import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';

/**
 * Runs listr2 tasks with every renderer on stderr (stdout carries only the result: a table, or
 * --json), the plain renderer when stderr is not a terminal, and no signal handlers of its own
 * (the CLI has one Ctrl-C handler). Settles when the renderer is done; task errors are the
 * views' to report.
 */
export function runOnStderr(tasks: ListrTask<unknown, never, never>[], options: { concurrent: boolean }): Promise<void> {
  const processOutput = new ProcessOutput(process.stderr, process.stderr);
  const logger = new ListrLogger({ processOutput });
  const list = new Listr(tasks, {
    concurrent: options.concurrent,
    exitOnError: false,
    registerSignalListeners: false,
    fallbackRendererCondition: !process.stderr.isTTY,
    rendererOptions: { processOutput, logger, collapseErrors: false, showErrorMessage: true },
    fallbackRendererOptions: { processOutput, logger },
  } as never);
  return list.run().then(() => undefined, () => undefined);
}
