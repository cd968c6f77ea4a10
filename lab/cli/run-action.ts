import { AtomlabError, InvalidFileError, exitCodeFor } from '../errors/index.js';

/** Prints an error the way users should see it: short, with the hint; never a stack trace. */
export function reportError(error: unknown): void {
  if (error instanceof InvalidFileError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof AtomlabError) {
    process.stderr.write(`atomlab: ${error.shortMessage}\n`);
    const tried = (error as AtomlabError & { tried?: string[] }).tried;
    if (tried?.length) process.stderr.write(`  tried:\n${tried.map((line) => `    ${line}`).join('\n')}\n`);
    const tail = error.context.stderrTail?.trimEnd();
    if (tail) process.stderr.write(`  last lines${error.context.logPath ? ` of ${error.context.logPath}` : ''}:\n${tail.split('\n').map((line) => `    | ${line}`).join('\n')}\n`);
  } else if (error instanceof Error) {
    process.stderr.write(`atomlab: ${error.message}\n`);
    if (process.env.ATOMLAB_DEBUG) process.stderr.write(`${error.stack ?? ''}\n`);
  } else {
    process.stderr.write(`atomlab: ${String(error)}\n`);
  }
}

/**
 * Wraps a command's action: errors become a message on stderr and the exit code of their kind
 * (2 bad input, 3 missing prerequisite, 130 interrupted, 1 otherwise).
 */
export function runAction<A extends unknown[]>(
  action: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await action(...args);
      process.exitCode = code ?? 0;
    } catch (error) {
      reportError(error);
      process.exitCode = exitCodeFor(error);
    }
  };
}

/** Writes one JSON document to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
