import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The guest's address from its serial console, for guests without VMware Tools: the explicit
 * signature is cloud-init's "Net device info" table (`ci-info: | ens33 | True | 192.168.… |`),
 * which cloud-init prints on the console at every boot. Loopback devices and addresses are skipped.
 */
const CI_INFO_ADDRESS = /^ci-info:\s*\|\s*([^|\s]+)\s*\|\s*True\s*\|\s*(\d{1,3}(?:\.\d{1,3}){3})\s*\|/;

export function addressFromConsoleLine(line: string): string | undefined {
  const match = CI_INFO_ADDRESS.exec(line.trim());
  if (!match?.[1] || !match[2] || match[1] === 'lo' || match[2].startsWith('127.')) return undefined;
  return match[2];
}

/** The last address the guest printed since `fromLine` (a boot's own lines), if any. */
export function addressFromConsole(text: string): string | undefined {
  let found: string | undefined;
  for (const line of text.split('\n')) found = addressFromConsoleLine(line) ?? found;
  return found;
}

/** Complete lines appended to a file from a byte offset on, until the signal aborts. */
export async function* tailLines(path: string, signal: AbortSignal, options: { offset?: number; pollMs?: number } = {}): AsyncGenerator<string> {
  let offset = options.offset ?? 0;
  let partial = '';
  while (!signal.aborted) {
    const chunk = await readFrom(path, offset);
    offset += chunk.length;
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    yield* lines.map((line) => line.replace(/\r$/, ''));
    if (chunk.length === 0) await sleep(options.pollMs ?? 250, undefined, { signal }).catch(() => undefined);
  }
}

async function readFrom(path: string, offset: number): Promise<Buffer> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return Buffer.alloc(0);
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.max(0, Math.min(size - offset, 1 << 20)));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
