import type { ChosenSound } from '../../lab/hardware/index.js';
import { el, renderXml, type XmlElement } from './xml.js';

export const ATOMLAB_XMLNS = 'https://atomlab.dev/xmlns/libvirt/1';
const QEMU_XMLNS = 'http://libvirt.org/schemas/domain/qemu/1.0';

/** How the serial console is wired: a unix socket + log file on a host we share, else a pty read through the API. */
export type ConsoleWiring = { kind: 'unix'; socketPath: string; logPath: string } | { kind: 'pty' };

/**
 * How NICs reach the outside: user networking with SSH (and the plan's ports) forwarded from
 * `bindAddress` on the libvirt host, or a libvirt network (NAT) where SSH goes to the DHCP lease.
 */
export type Networking =
  | { kind: 'user'; bindAddress: string; forwards: { protocol: 'tcp' | 'udp'; host: number; guest: number }[] }
  | { kind: 'network'; network: string };

/** Everything the domain XML is made from, all decided: paths are paths on the libvirt host. */
export interface DomainSpec {
  name: string;
  lab: string;
  vm: string;
  memoryMiB: number;
  cpus: number;
  machine: 'pc' | 'q35';
  firmware: 'bios' | 'uefi';
  accelerator: 'kvm' | 'qemu';
  diskPath: string;
  diskFormat: 'qcow2' | 'raw';
  seedPath?: string;
  /** How the seed drive is attached: a CD-ROM (ISO) or a read-only disk (vfat); default cdrom. */
  seedAs?: 'cdrom' | 'disk';
  /** A file passed by QEMU's fw_cfg (an Ignition config), as `<sysinfo type='fwcfg'>`. */
  fwcfg?: { name: string; path: string };
  console: ConsoleWiring | undefined;
  sound: ChosenSound;
  graphics: 'none' | 'vnc' | 'spice';
  nics: number;
  networking: Networking;
  /** MAC addresses, one per NIC (stable across redefinitions). */
  macs: string[];
}

function osElement(spec: DomainSpec): XmlElement {
  const uefi = spec.firmware === 'uefi';
  return el(
    'os',
    { firmware: uefi ? 'efi' : undefined },
    el('type', { arch: 'x86_64', machine: spec.machine }, 'hvm'),
    uefi && el('firmware', {}, el('feature', { enabled: 'no', name: 'secure-boot' })),
    el('boot', { dev: 'hd' }),
    !uefi && spec.console !== undefined && el('bios', { useserial: 'yes' }),
  );
}

function disks(spec: DomainSpec): XmlElement[] {
  const disk = el(
    'disk',
    { type: 'file', device: 'disk' },
    el('driver', { name: 'qemu', type: spec.diskFormat }),
    el('source', { file: spec.diskPath }),
    el('target', { dev: 'vda', bus: 'virtio' }),
  );
  if (!spec.seedPath) return [disk];
  if (spec.seedAs === 'disk') {
    const seedDisk = el('disk', { type: 'file', device: 'disk' }, el('driver', { name: 'qemu', type: 'raw' }), el('source', { file: spec.seedPath }), el('target', { dev: 'vdb', bus: 'virtio' }), el('readonly'));
    return [disk, seedDisk];
  }
  const cdromTarget = spec.machine === 'q35' ? { dev: 'sda', bus: 'sata' } : { dev: 'hdc', bus: 'ide' };
  const seed = el(
    'disk',
    { type: 'file', device: 'cdrom' },
    el('driver', { name: 'qemu', type: 'raw' }),
    el('source', { file: spec.seedPath }),
    el('target', cdromTarget),
    el('readonly'),
  );
  return [disk, seed];
}

function serial(console: ConsoleWiring): XmlElement {
  if (console.kind === 'pty') return el('serial', { type: 'pty' }, el('target', { port: 0 }));
  return el(
    'serial',
    { type: 'unix' },
    el('source', { mode: 'bind', path: console.socketPath }),
    el('log', { file: console.logPath, append: 'on' }),
    el('target', { port: 0 }),
  );
}

function interfaces(spec: DomainSpec): XmlElement[] {
  const { networking } = spec;
  const first = networking.kind === 'user' ? 1 : 0;
  return spec.macs.slice(first, spec.nics).map((mac) =>
    networking.kind === 'network'
      ? el('interface', { type: 'network' }, el('mac', { address: mac }), el('source', { network: networking.network }), el('model', { type: 'virtio' }))
      : el('interface', { type: 'user' }, el('mac', { address: mac }), el('model', { type: 'virtio' })),
  );
}

/** libvirt 9.0 ignores <portForward> on user interfaces: the first NIC is passed to QEMU directly. */
function forwardingCommandline(spec: DomainSpec): XmlElement | undefined {
  const { networking } = spec;
  if (networking.kind !== 'user' || spec.nics === 0) return undefined;
  const rules = networking.forwards.map((f) => `,hostfwd=${f.protocol}:${networking.bindAddress}:${f.host}-:${f.guest}`).join('');
  // A fixed PCI address libvirt's own allocation (from slot 2 upwards) does not reach.
  const address = spec.machine === 'q35' ? 'bus=pcie.0,addr=0x10' : 'bus=pci.0,addr=0x1f';
  const device = `virtio-net-pci,netdev=atomlab-net0,mac=${spec.macs[0]},${address}`;
  const args = ['-netdev', `user,id=atomlab-net0${rules}`, '-device', device];
  return el('qemu:commandline', {}, ...args.map((value) => el('qemu:arg', { value })));
}

/**
 * fw_cfg entries (libvirt ≥ 6.5; its schema here accepts them, virt-xml-validate says so), so
 * no qemu:commandline passthrough is needed: QEMU gets -fw_cfg name=…,file=….
 */
function fwcfgSysinfo(spec: DomainSpec): XmlElement | undefined {
  if (!spec.fwcfg) return undefined;
  return el('sysinfo', { type: 'fwcfg' }, el('entry', { name: spec.fwcfg.name, file: spec.fwcfg.path }));
}

function graphics(spec: DomainSpec): XmlElement[] {
  if (spec.graphics === 'none') return [el('video', {}, el('model', { type: 'none' }))];
  const model = spec.graphics === 'spice' ? 'qxl' : 'vga';
  return [el('graphics', { type: spec.graphics, autoport: 'yes', listen: '127.0.0.1' }), el('video', {}, el('model', { type: model }))];
}

function devices(spec: DomainSpec): XmlElement {
  return el(
    'devices',
    {},
    ...disks(spec),
    ...interfaces(spec),
    spec.console && serial(spec.console),
    spec.sound !== 'none' && el('sound', { model: spec.sound }),
    ...graphics(spec),
    el('memballoon', { model: 'virtio' }),
  );
}

/** The libvirt domain XML for one VM. */
export function domainXml(spec: DomainSpec): string {
  const domain = el(
    'domain',
    { type: spec.accelerator, 'xmlns:qemu': QEMU_XMLNS },
    el('name', {}, spec.name),
    el('metadata', {}, el('atomlab:vm', { 'xmlns:atomlab': ATOMLAB_XMLNS, lab: spec.lab, name: spec.vm })),
    el('memory', { unit: 'MiB' }, String(spec.memoryMiB)),
    el('vcpu', {}, String(spec.cpus)),
    fwcfgSysinfo(spec),
    osElement(spec),
    el('features', {}, el('acpi'), el('apic')),
    spec.accelerator === 'kvm' && el('cpu', { mode: 'host-passthrough' }),
    // What virt-manager writes for the seeds' guests: an RTC that catches up and no HPET.
    el('clock', { offset: 'utc' }, el('timer', { name: 'rtc', tickpolicy: 'catchup' }), el('timer', { name: 'pit', tickpolicy: 'delay' }), el('timer', { name: 'hpet', present: 'no' })),
    el('on_poweroff', {}, 'destroy'),
    el('on_reboot', {}, 'restart'),
    el('on_crash', {}, 'destroy'),
    devices(spec),
    forwardingCommandline(spec),
  );
  return `${renderXml(domain)}\n`;
}
