import { execFile } from 'node:child_process';
import { AtomlabError } from '../errors/index.js';
import { requireTool } from '../host/index.js';
import { parseDeviceHelp } from './sound.js';

/** Asks the local QEMU which devices it has (`-device help`). */
export async function qemuDevices(binary?: string): Promise<string[]> {
  const file = binary ?? (await requireTool('qemu-system-x86_64'));
  const output = await new Promise<string>((resolve, reject) => {
    execFile(file, ['-device', 'help'], { encoding: 'utf8', timeout: 30_000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  }).catch((cause: unknown) => {
    throw new AtomlabError(`cannot list the devices of ${file}`, { code: 'FAILED', context: { command: `${file} -device help` }, cause });
  });
  return parseDeviceHelp(output);
}
