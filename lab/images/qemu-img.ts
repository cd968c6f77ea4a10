import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AtomlabError } from '../errors/index.js';
import { requireTool } from '../host/index.js';

const run = promisify(execFile);

/** Runs qemu-img; a failure carries its stderr. */
export async function qemuImg(args: string[]): Promise<string> {
  const file = await requireTool('qemu-img');
  try {
    const { stdout } = await run(file, args, { encoding: 'utf8' });
    return stdout;
  } catch (cause) {
    const stderr = String((cause as { stderr?: string }).stderr ?? '').trim();
    throw new AtomlabError(`qemu-img ${args[0]} failed: ${stderr || String(cause)}`, {
      code: 'FAILED',
      cause,
      context: { command: `qemu-img ${args.join(' ')}`, stderrTail: stderr },
    });
  }
}
