import { spawn } from 'node:child_process';
import { AtomlabError } from '../errors/index.js';

export interface RunScriptOptions {
  signal?: AbortSignal | undefined;
  /** Return stdout instead of passing it to log. */
  capture?: boolean;
  /** Receives the script's output (stderr, and stdout unless captured), line by line. */
  log?: ((line: string) => void) | undefined;
  env?: NodeJS.ProcessEnv;
}

function lineSplitter(log: (line: string) => void): (chunk: Buffer) => void {
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) log(line);
  };
}

/**
 * Runs a recipe script in its own process group, so an abort stops the whole build (the
 * script's traps unmount what it mounted). Fails with the tail of its output.
 */
export function runScript(script: string, args: string[], options: RunScriptOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(script, args, { detached: true, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const tail: string[] = [];
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      options.log?.(line);
    };
    child.stdout.on('data', options.capture ? (chunk: Buffer) => (stdout += chunk.toString('utf8')) : lineSplitter(onLine));
    child.stderr.on('data', lineSplitter(onLine));
    const abort = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (cause) => reject(new AtomlabError(`cannot run ${script}`, { code: 'IO', cause })));
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', abort);
      if (options.signal?.aborted) {
        reject(new AtomlabError(`${script} ${args.join(' ')} interrupted`, { code: 'INTERRUPTED' }));
      } else if (code === 0) resolve(stdout);
      else reject(scriptFailure(script, args, code ?? signal, tail));
    });
  });
}

function scriptFailure(script: string, args: string[], status: number | string | null, tail: string[]): AtomlabError {
  return new AtomlabError(`${script} ${args.join(' ')} failed (${status})`, {
    code: 'FAILED',
    hint: 'see the build output above; `apt-get update` helps when a package version is gone from the archive',
    context: { command: `${script} ${args.join(' ')}`, exitCode: typeof status === 'number' ? status : undefined, stderrTail: tail.join('\n') },
  });
}
