import type { ConcreteSound } from '../../lab/hardware/index.js';
import type { VmPlan } from '../../lab/plan/index.js';

/** How the seed is attached: a drive image (ISO or vfat) or a firmware config file (Ignition). */
export type SeedAttachment = { kind: 'drive'; path: string; attachAs: 'cdrom' | 'disk' } | { kind: 'fwcfg'; name: string; path: string };

/** Files of one VM that QEMU reads or creates. */
export interface QemuPaths {
  disk: string;
  seed: SeedAttachment;
  qmpSocket: string;
  consoleSocket: string;
  consoleLog: string;
  pidFile: string;
  /** UEFI variable store (a private copy of OVMF_VARS), when firmware is uefi. */
  uefiVars?: string;
}

export interface Forward {
  protocol: 'tcp' | 'udp';
  host: number;
  guest: number;
}

export interface QemuLaunch {
  plan: VmPlan;
  paths: QemuPaths;
  accel: 'kvm' | 'tcg';
  sound: ConcreteSound;
  /** Host ports forwarded to the guest (SSH first). */
  forwards: Forward[];
  /** The host address they are bound to (default 127.0.0.1; 0.0.0.0 for every address). */
  listen?: string;
  /** Host port for VNC or SPICE when graphics asks for it. */
  displayPort?: number;
  uefiCode?: string;
  /** Add the serial graphics adapter so BIOS messages ("No bootable device") reach the console. */
  biosOnSerial?: boolean;
}

const SOUND_ARGS: Record<Exclude<ConcreteSound, 'none'>, string[]> = {
  ich6: ['-device', 'intel-hda,id=sound0', '-device', 'hda-duplex,bus=sound0.0,audiodev=snd0'],
  ich9: ['-device', 'ich9-intel-hda,id=sound0', '-device', 'hda-duplex,bus=sound0.0,audiodev=snd0'],
  ac97: ['-device', 'AC97,audiodev=snd0'],
  es1370: ['-device', 'ES1370,audiodev=snd0'],
};

function soundArgs(sound: ConcreteSound): string[] {
  return sound === 'none' ? [] : ['-audiodev', 'none,id=snd0', ...SOUND_ARGS[sound]];
}

function networkArgs(plan: VmPlan, forwards: Forward[], listen = '127.0.0.1'): string[] {
  if (plan.hardware.nics === 0) return ['-nic', 'none'];
  const rules = forwards.map((f) => `,hostfwd=${f.protocol}:${listen}:${f.host}-:${f.guest}`).join('');
  const args = ['-netdev', `user,id=net0${rules}`, '-device', 'virtio-net-pci,netdev=net0'];
  for (let i = 1; i < plan.hardware.nics; i++) args.push('-netdev', `user,id=net${i}`, '-device', `virtio-net-pci,netdev=net${i}`);
  return args;
}

function displayArgs(plan: VmPlan, port: number | undefined): string[] {
  const { graphics } = plan.hardware;
  if (graphics === 'vnc' && port) return ['-vga', 'std', '-vnc', `127.0.0.1:${port - 5900}`];
  if (graphics === 'spice' && port) return ['-vga', 'qxl', '-spice', `port=${port},addr=127.0.0.1,disable-ticketing=on`];
  return ['-display', 'none', '-vga', 'none'];
}

function firmwareArgs(launch: QemuLaunch): string[] {
  if (launch.plan.hardware.firmware !== 'uefi' || !launch.uefiCode || !launch.paths.uefiVars) return [];
  return [
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${launch.uefiCode}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${launch.paths.uefiVars}`,
  ];
}

function seedArgs(seed: SeedAttachment): string[] {
  // QEMU's option syntax: a comma inside a value is written twice
  if (seed.kind === 'fwcfg') return ['-fw_cfg', `name=${seed.name},file=${seed.path.replaceAll(',', ',,')}`];
  if (seed.attachAs === 'disk') return ['-drive', `file=${seed.path},format=raw,if=virtio,readonly=on`];
  return ['-drive', `file=${seed.path},format=raw,media=cdrom,readonly=on`];
}

function consoleArgs(paths: QemuPaths): string[] {
  return [
    '-chardev', `socket,id=console0,path=${paths.consoleSocket},server=on,wait=off,logfile=${paths.consoleLog},logappend=on`,
    '-serial', 'chardev:console0',
  ];
}

/** The whole QEMU command line for a VM, as argv (no shell). */
export function qemuArguments(launch: QemuLaunch): string[] {
  const { plan, paths } = launch;
  return [
    '-name', `${plan.lab}/${plan.name},process=atomlab-${plan.lab}-${plan.name}`,
    '-machine', `${plan.hardware.machine},accel=${launch.accel}`,
    '-cpu', launch.accel === 'kvm' ? 'host' : 'max',
    '-smp', String(plan.cpus),
    '-m', String(plan.memoryMiB),
    '-nodefaults', '-no-user-config',
    ...firmwareArgs(launch),
    '-drive', `file=${paths.disk},format=qcow2,if=virtio,cache=writeback,discard=unmap`,
    ...seedArgs(paths.seed),
    ...networkArgs(plan, launch.forwards, launch.listen),
    ...(plan.hardware.serial ? consoleArgs(paths) : []),
    ...(launch.biosOnSerial && plan.hardware.serial && plan.hardware.graphics === 'none' && plan.hardware.firmware === 'bios' ? ['-device', 'sga'] : []),
    ...displayArgs(plan, launch.displayPort),
    ...soundArgs(launch.sound),
    '-device', 'virtio-rng-pci',
    '-qmp', `unix:${paths.qmpSocket},server=on,wait=off`,
    '-pidfile', paths.pidFile,
    '-daemonize',
  ];
}
