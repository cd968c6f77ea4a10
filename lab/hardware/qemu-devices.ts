import { execFile } from 'node:child_process';
import { AtomlabError } from '../errors/index.js';

/** Device names from `qemu-system-x86_64 -device help` output (`name "intel-hda", bus PCI, …`). */
export function parseDeviceHelp(output: string): Set<string> {
  const names = new Set<string>();
  for (const match of output.matchAll(/^name "([^"]+)"/gm)) names.add(match[1]!);
  return names;
}

const cache = new Map<string, Promise<Set<string>>>();

/** The devices a QEMU binary offers, asked once per binary and process. */
export function qemuDevices(binary = 'qemu-system-x86_64'): Promise<Set<string>> {
  let devices = cache.get(binary);
  if (!devices) {
    devices = new Promise((resolve, reject) => {
      execFile(binary, ['-nodefaults', '-machine', 'none', '-device', 'help'], { encoding: 'utf8', timeout: 20_000 }, (error, stdout) => {
        if (error) reject(new AtomlabError(`cannot list the devices of ${binary}: ${error.message}`, { code: 'MISSING_TOOL', hint: 'install qemu-system-x86 (scripts/setup-host)', cause: error }));
        else resolve(parseDeviceHelp(stdout));
      });
    });
    cache.set(binary, devices);
    devices.catch(() => cache.delete(binary));
  }
  return devices;
}
