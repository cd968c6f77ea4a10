import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = `${ROOT}bin/atomlab.js`;

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/** Runs the real CLI (the compiled dist) in a child process. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const result = await execa(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env,
    input: options.input ?? '',
    reject: false,
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? 60_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function fixture(...segments: string[]): string {
  return `${ROOT}test/fixtures/${segments.join('/')}`;
}
