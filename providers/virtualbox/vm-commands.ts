import { formatNatRule, type NatRule } from './machine-readable.js';
import type { VboxFlags } from './vbox-version.js';

/**
 * The VBoxManage command lines of one VM, built from plain data and the generation's option
 * names. Pure: the contract tests compare them word for word. The sequence follows Packer's
 * from-scratch creation (createvm, modifyvm, storagectl, storageattach) and Vagrant's linked
 * clone idea (each VM writes to its own differencing disk on one shared base).
 */
export type VboxSound = 'none' | 'hda' | 'ac97';

export interface MachineSpec {
  /** VirtualBox VM name (unique on the host). */
  name: string;
  /** `createvm --basefolder`: the VM's folder is `<baseFolder>/<name>/`. */
  baseFolder: string;
  memoryMiB: number;
  cpus: number;
  firmware: 'bios' | 'uefi';
  sound: VboxSound;
  /** The file UART 1 (COM1, 0x3F8 IRQ 4) writes the serial console to. */
  consoleLog: string;
}

/** The SATA controller: port 0 the disk, port 1 the seed DVD. */
export const CONTROLLER = 'SATA';

export function createVmArgs(flags: VboxFlags, spec: MachineSpec): string[] {
  return ['createvm', '--name', spec.name, '--basefolder', spec.baseFolder, ...flags.createVmExtra, '--ostype', 'Linux_64', '--register'];
}

export function audioArgs(flags: VboxFlags, sound: VboxSound): string[] {
  return sound === 'none' ? flags.audioOff : flags.audioOn(sound);
}

export function modifyVmArgs(flags: VboxFlags, id: string, spec: MachineSpec): string[] {
  return [
    'modifyvm', id,
    '--memory', String(spec.memoryMiB), '--cpus', String(spec.cpus), '--firmware', spec.firmware === 'uefi' ? 'efi' : 'bios',
    '--boot1', 'disk', '--boot2', 'dvd', '--boot3', 'none', '--boot4', 'none', flags.rtcUseUtc, 'on',
    '--nic1', 'nat', flags.nicType(1), 'virtio', ...flags.natLocalhostReachable,
    '--uart1', '0x3F8', '4', flags.uartMode(1), 'file', spec.consoleLog,
    ...audioArgs(flags, spec.sound),
  ];
}

export function addNatRulesArgs(flags: VboxFlags, id: string, rules: NatRule[]): string[] {
  return ['modifyvm', id, ...rules.flatMap((rule) => [flags.natpf(1), formatNatRule(rule)])];
}

export function deleteNatRulesArgs(flags: VboxFlags, id: string, names: string[]): string[] {
  return ['modifyvm', id, ...names.flatMap((name) => [flags.natpf(1), 'delete', name])];
}

export function storageControllerArgs(id: string): string[] {
  return ['storagectl', id, '--name', CONTROLLER, '--add', 'sata', '--controller', 'IntelAhci', '--portcount', '2'];
}

export function attachArgs(id: string, port: number, type: 'hdd' | 'dvddrive', medium: string): string[] {
  return ['storageattach', id, '--storagectl', CONTROLLER, '--port', String(port), '--device', '0', '--type', type, '--medium', medium];
}

/** The base, shared read-only by every VM's differencing disk (VirtualBox's multiattach type). */
export function shareBaseArgs(base: string): string[] {
  return ['modifymedium', 'disk', base, '--type', 'multiattach'];
}

export function differencingDiskArgs(disk: string, parent: string): string[] {
  return ['createmedium', 'disk', '--filename', disk, '--diffparent', parent, '--format', 'VDI'];
}

export function resizeArgs(disk: string, bytes: number): string[] {
  return ['modifymedium', 'disk', disk, '--resizebyte', String(bytes)];
}

/** Parses `createvm`'s `UUID: …` and `createmedium`'s `Medium created. UUID: …`. */
export function uuidFrom(output: string): string | undefined {
  return /UUID: ([0-9a-f-]{36})/i.exec(output)?.[1];
}

/** The `list hdds` entry whose Location is this path: its UUID, when VirtualBox knows the medium. */
export function registeredMedium(listing: string, path: string): string | undefined {
  for (const block of listing.split(/\n\s*\n/)) {
    const location = /^Location:\s+(.*)$/m.exec(block)?.[1]?.trim();
    if (location === path) return /^UUID:\s+(\S+)/m.exec(block)?.[1];
  }
  return undefined;
}
