import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunPlace } from './operations.js';
import { libvirtNaming, processesNaming } from './traces.js';

const run = promisify(execFile);

/**
 * After a leak: ends what the run left (its processes by pid, its libvirt domains and volumes)
 * so the next run starts on a clean machine. The directory stays for the post-mortem.
 */
export async function sweep(place: RunPlace, libvirtUri: string | undefined): Promise<void> {
  for (const line of await processesNaming([place.lab, place.dir])) {
    const pid = Number.parseInt(line, 10);
    if (pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  if (!libvirtUri) return;
  const { domains, volumes } = await libvirtNaming(libvirtUri, place.lab);
  for (const domain of domains) {
    await run('virsh', ['-c', libvirtUri, 'destroy', domain]).catch(() => undefined);
    await run('virsh', ['-c', libvirtUri, 'undefine', domain, '--snapshots-metadata', '--nvram']).catch(() => undefined);
  }
  for (const volume of volumes) {
    const [pool, name] = volume.split(/:\s+/);
    await run('virsh', ['-c', libvirtUri, 'vol-delete', name!.split(/\s+/)[0]!, '--pool', pool!]).catch(() => undefined);
  }
}
