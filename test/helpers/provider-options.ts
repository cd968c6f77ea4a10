import { labDir } from './lab.js';
import { runCli } from './run-cli.js';

/**
 * `atomlab validate` of a one-VM scenario whose provider block is `name: PROVIDER` followed by
 * these option lines (line 8 is the first option): its exit code and problems, without the
 * file name, so a test compares `LINE:COL: path: message` exactly.
 */
export async function providerOptionProblems(provider: string, options: string[]): Promise<{ exitCode: number; problems: string[] }> {
  const header = [`name: bad-${provider}`, 'defaults:', '  image: tiny', 'vms:', '  - name: host1', '    provider:', `      name: ${provider}`];
  const lab = await labDir([...header, ...options.map((line) => `      ${line}`), ''].join('\n'));
  const result = await runCli(['validate', lab.file]);
  return { exitCode: result.exitCode ?? -1, problems: result.stderr.trim().split('\n').map((line) => line.replace(`${lab.file}:`, '')) };
}
