import { AtomlabError } from '../../lab/errors/index.js';

/** What the provider records in a VmRef's data: enough to find and remove everything it made. */
export interface VboxVmData {
  /** VirtualBox's UUID of the VM (its name works too, but a UUID survives renames). */
  uuid: string;
  /** The VM's VirtualBox name (`atomlab-<lab>-<vm>`). */
  vboxName: string;
  /** The VM folder VirtualBox made (`createvm --basefolder`): settings file, Logs/. */
  folder: string;
  /** This VM's differencing disk. */
  disk: string;
  /** The shared base it differs from (left in place by destroy). */
  base: string;
  seed: string;
  consoleLog: string;
  /** NAT rules whose host port atomlab chose (ssh, and `auto` ports): these may be re-picked. */
  autoRules: string[];
  /** Address the forwards bind to. */
  listen: string;
}

export function vboxData(data: Record<string, unknown>): VboxVmData {
  if (typeof data.uuid !== 'string' || typeof data.folder !== 'string' || typeof data.disk !== 'string') {
    throw new AtomlabError('this VM\'s state does not come from the virtualbox provider', { code: 'FAILED', context: { provider: 'virtualbox' } });
  }
  return data as unknown as VboxVmData;
}

/** VirtualBox VM names are host-wide: the lab's name keeps two labs' VMs apart. */
export function vboxName(lab: string, vm: string): string {
  return `atomlab-${lab}-${vm}`.replace(/[^A-Za-z0-9._-]/g, '-');
}
