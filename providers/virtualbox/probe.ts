import { execa } from 'execa';
import { which } from '../../lab/host/index.js';
import type { Probe } from '../../lab/provider/index.js';
import { parseVersion } from './vbox-version.js';

/** What VBoxManage prints on any call while VirtualBox's kernel driver is missing (Vagrant checks the same texts). */
const NO_DRIVER = /vboxdrv kernel module is not loaded|kernel modules do not match|VERR_VM_DRIVER_NOT_INSTALLED/;

function unavailable(reason: string, notes: string[] = []): Probe {
  return { available: false, reason, notes };
}

/** VBoxManage's version, its kernel driver, and qemu-img (which converts images to VDI). */
export async function probeVirtualbox(command: string): Promise<Probe> {
  const result = await execa(command, ['--version'], { reject: false, all: true, timeout: 30_000 });
  if ((result.cause as { code?: string } | undefined)?.code === 'ENOENT') {
    return unavailable(`${command} not found: install VirtualBox 6.1 or 7.x from virtualbox.org (Debian 12 has no virtualbox package), or set the provider option vboxmanage`);
  }
  const output = result.all ?? '';
  if (NO_DRIVER.test(output)) {
    return unavailable('the vboxdrv kernel module is not loaded: run `sudo /sbin/vboxconfig` (it needs linux-headers-$(uname -r) and dkms)');
  }
  if (result.exitCode !== 0) return unavailable(`${command} --version failed (exit ${result.exitCode ?? '?'}): ${output.trim().split('\n').pop() ?? ''}`);
  let version;
  try {
    version = parseVersion(result.stdout);
  } catch (error) {
    return unavailable((error as Error).message);
  }
  if (!(await which('qemu-img'))) return unavailable('qemu-img not found (it converts images to VDI): apt-get install qemu-utils', [`VirtualBox ${version.text}`]);
  return {
    available: true,
    version: version.text,
    soundModels: ['ich6', 'ich9', 'ac97'],
    notes: [`VirtualBox ${version.text}: ${version.generation} option names`, 'guests reach lab servers at 10.0.2.2 (NAT)'],
  };
}
