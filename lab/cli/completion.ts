import type { Command } from 'commander';
import { Argument } from 'commander';
import type { App } from './app.js';
import { runAction } from './run-action.js';

export function register(program: Command, _app: App): void {
  program
    .command('completion')
    .description('print shell completion (commands, options, VM names of the lab here, catalog ids): source <(atomlab completion bash)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(
      runAction(async (shell: 'bash' | 'zsh' | 'fish') => {
        const { completionScript } = await import('../completion/index.js');
        process.stdout.write(completionScript(shell));
      }),
    );
}

/** `atomlab __complete WORDS…` (what the completion scripts call): one candidate per line. */
export async function printCompletions(program: Command, words: string[]): Promise<void> {
  const { completions } = await import('../completion/index.js');
  const found = await completions(program, words).catch(() => []);
  process.stdout.write(found.length ? `${found.join('\n')}\n` : '');
}
