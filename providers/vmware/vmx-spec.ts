import type { SoundModel } from '../../lab/plan/index.js';
import type { VmxEntries } from './vmx.js';

/**
 * What a Workstation/Player VM is made of, as data, and the .vmx entries for it. The keys are
 * the ones Packer's DefaultVMXTemplate (packer-plugin-vmware) and Vagrant's VMware plugin write;
 * `sound.virtualDev` values come from VMware's device names (hdaudio, es1371, sb16).
 */
export interface VmxSpec {
  name: string;
  guestOs: string;
  hardwareVersion: number;
  cpus: number;
  memoryMiB: number;
  firmware: 'bios' | 'uefi';
  /** The disk, relative to the .vmx (a clone's own delta disk, or a copy). */
  disk: string;
  nic: 'e1000' | 'e1000e' | 'vmxnet3';
  /** Absolute path of the seed ISO (NoCloud or config-2), as a CD-ROM. */
  seedIso?: string;
  /** guestinfo.* keys (cloud-init's VMware datasource, or Ignition's vmware platform). */
  guestinfo?: Record<string, string>;
  /** Absolute path of the file the first serial port writes: the console. */
  serialFile: string;
  sound: SoundModel;
}

/**
 * The scenario's sound model as a VMware device. ich6/ich9 are Intel HD Audio (hdaudio);
 * es1370 has no VMware twin, es1371 (the same Ensoniq family, the same guest driver class) is
 * the nearest; ac97 is what guests without an HD Audio driver take, and VMware gives such
 * (older) guests es1371; auto leaves the choice to VMware (by guestOS); none removes the device.
 */
export function vmwareSoundDevice(sound: SoundModel): 'hdaudio' | 'es1371' | 'auto' | 'none' {
  switch (sound) {
    case 'ich6':
    case 'ich9':
      return 'hdaudio';
    case 'es1370':
    case 'ac97':
      return 'es1371';
    case 'none':
      return 'none';
    case 'auto':
    default:
      return 'auto';
  }
}

function soundEntries(sound: SoundModel): VmxEntries {
  const device = vmwareSoundDevice(sound);
  if (device === 'none') return [['sound.present', 'FALSE']];
  const base: VmxEntries = [['sound.present', 'TRUE'], ['sound.startConnected', 'TRUE'], ['sound.fileName', '-1'], ['sound.autodetect', 'TRUE']];
  return device === 'auto' ? base : [...base, ['sound.virtualDev', device]];
}

function hardwareEntries(spec: VmxSpec): VmxEntries {
  return [
    ['displayName', spec.name],
    ['config.version', '8'],
    ['virtualHW.version', String(spec.hardwareVersion)],
    ['guestOS', spec.guestOs],
    ['numvcpus', String(spec.cpus)],
    ['memsize', String(spec.memoryMiB)],
    ...(spec.firmware === 'uefi' ? ([['firmware', 'efi']] as VmxEntries) : []),
    ['nvram', `${spec.name}.nvram`],
    ['bios.bootOrder', 'hdd,cdrom'],
    ['floppy0.present', 'FALSE'],
    ['msg.autoAnswer', 'TRUE'],
    ['tools.syncTime', 'TRUE'],
  ];
}

/** Entries for the devices a lab adds to any VM: seed CD-ROM, NIC, console, sound, guestinfo. */
export function labDeviceEntries(spec: Omit<VmxSpec, 'name' | 'guestOs' | 'hardwareVersion' | 'cpus' | 'memoryMiB' | 'firmware' | 'disk'>): VmxEntries {
  const seed: VmxEntries = spec.seedIso
    ? [['ide0:1.present', 'TRUE'], ['ide0:1.deviceType', 'cdrom-image'], ['ide0:1.fileName', spec.seedIso], ['ide0:1.startConnected', 'TRUE']]
    : [['ide0:1.present', 'FALSE']];
  return [
    ...seed,
    ['ethernet0.present', 'TRUE'],
    ['ethernet0.connectionType', 'nat'],
    ['ethernet0.virtualDev', spec.nic],
    ['ethernet0.addressType', 'generated'],
    ['serial0.present', 'TRUE'],
    ['serial0.fileType', 'file'],
    ['serial0.fileName', spec.serialFile],
    ['serial0.startConnected', 'TRUE'],
    ['serial0.yieldOnMsrRead', 'TRUE'],
    ...soundEntries(spec.sound),
    ...Object.entries(spec.guestinfo ?? {}).map(([key, value]): [string, string] => [key.startsWith('guestinfo.') ? key : `guestinfo.${key}`, value]),
  ];
}

/** Every entry of a new VM's .vmx, in the order it is written. */
export function vmxEntries(spec: VmxSpec): VmxEntries {
  return [
    ...hardwareEntries(spec),
    ['scsi0.present', 'TRUE'],
    ['scsi0.virtualDev', 'lsilogic'],
    ['scsi0:0.present', 'TRUE'],
    ['scsi0:0.fileName', spec.disk],
    ['ide0:0.present', 'FALSE'],
    ...labDeviceEntries(spec),
  ];
}

/** Keys a lab's device entries own: removed from a cloned .vmx before they are written anew. */
export function isLabDeviceKey(key: string): boolean {
  return /^(ide0:1\.|ethernet0\.|serial0\.|sound\.|guestinfo\.)/i.test(key);
}
