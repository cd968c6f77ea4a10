import { AtomlabError, InvalidFileError, exitCodeFor } from '../errors/index.js';

/** An error the way users should see it: short, with the hint; never a stack trace (unless ATOMLAB_DEBUG). */
export function errorText(error: unknown): string {
  if (error instanceof InvalidFileError) return `${error.message}\n`;
  if (error instanceof AtomlabError) {
    let text = `atomlab: ${error.shortMessage}\n`;
    const tried = (error as AtomlabError & { tried?: string[] }).tried;
    if (tried?.length) text += `  tried:\n${tried.map((line) => `    ${line}`).join('\n')}\n`;
    const tail = error.context.stderrTail?.trimEnd();
    if (tail) text += `  last lines${error.context.logPath ? ` of ${error.context.logPath}` : ''}:\n${tail.split('\n').map((line) => `    | ${line}`).join('\n')}\n`;
    return text;
  }
  if (error instanceof Error) return `atomlab: ${error.message}\n${process.env.ATOMLAB_DEBUG ? `${error.stack ?? ''}\n` : ''}`;
  return `atomlab: ${String(error)}\n`;
}

export function reportError(error: unknown): void {
  process.stderr.write(errorText(error));
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
