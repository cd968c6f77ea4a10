import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { AtomlabError } from '../errors/index.js';
import type { StepExecutor } from './step-context.js';
import { StepFailure } from './step-failure.js';

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `copy`: a local file into the guest (SFTP, or cat over SSH), then its sha256 checked there. */
export const copyStep: StepExecutor = async (ctx) => {
  if (ctx.step.action.kind !== 'copy') throw new Error('not a copy step');
  const { from, to, mode } = ctx.step.action;
  const info = await stat(from).catch(() => undefined);
  if (!info?.isFile()) throw new AtomlabError(`copy: ${from} is not a file`, { code: 'BAD_INPUT', hint: 'paths are relative to the scenario file' });
  const how = await ctx.guest.copy(from, to, ctx.signal);
  const digest = createHash('sha256').update(await readFile(from)).digest('hex');
  const chmod = mode === undefined ? '' : `chmod ${mode.toString(8)} ${shellQuote(to)} && `;
  const command = `${chmod}sha256sum ${shellQuote(to)}`;
  const result = await ctx.guest.exec(command, { timeoutMs: ctx.remaining(), signal: ctx.signal });
  const output = { command, exitCode: result.code, stdout: result.stdout, stderr: result.stderr };
  if (result.code !== 0) throw new StepFailure(`cannot check ${to} in the guest`, output);
  if (!result.stdout.startsWith(digest)) throw new StepFailure(`${to} in the guest differs from ${from}`, output);
  return { detail: `${info.size} bytes by ${how}, sha256 verified`, output };
};
