import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { VmPlan } from '../../lab/plan/index.js';
import type { CreateRequest } from '../../lab/provider/index.js';
import type { ChosenSound } from '../../lab/hardware/index.js';
import type { DomainSpec, Networking } from './domain-xml.js';
import { isLoopback, uriHost, type LibvirtOptions } from './options.js';

/**
 * libvirt names: one per VM of a lab, safe for volumes too. Lab and VM names hold letters,
 * digits and `-`, so the `.` between them keeps labs apart: lab `a-b`'s VM `c` and lab `a`'s
 * VM `b-c` are `atomlab-a-b.c` and `atomlab-a.b-c`.
 */
export function domainName(plan: Pick<VmPlan, 'lab' | 'name'>): string {
  return `atomlab-${plan.lab}.${plan.name}`.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Stable locally administered MACs (52:54:00 is QEMU's prefix), one per NIC. */
export function macAddresses(plan: Pick<VmPlan, 'lab' | 'name'>, count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    const digest = createHash('sha256').update(`${plan.lab}/${plan.name}/${index}`).digest();
    return ['52', '54', '00', ...[...digest.subarray(0, 3)].map((byte) => byte.toString(16).padStart(2, '0'))].join(':');
  });
}

/** Where forwarded ports listen on the libvirt host, and where this machine reaches them. */
export function forwardAddresses(uri: string, listen?: string): { bind: string; reach: string } {
  const host = uriHost(uri);
  if (isLoopback(host)) return listen ? { bind: listen, reach: listen === '0.0.0.0' ? '127.0.0.1' : listen } : { bind: '127.0.0.1', reach: '127.0.0.1' };
  return { bind: listen ?? '0.0.0.0', reach: listen && listen !== '0.0.0.0' ? listen : host };
}

export interface Forward {
  protocol: 'tcp' | 'udp';
  guest: number;
  host: number;
}

/** SSH first, then the plan's ports; `hostPorts` supplies a port for every `auto`. */
export function forwards(plan: VmPlan, sshPort: number, hostPorts: () => Promise<number>): Promise<Forward[]> {
  return Promise.all([
    Promise.resolve({ protocol: 'tcp' as const, guest: 22, host: sshPort }),
    ...plan.ports.map(async (port) => ({ protocol: port.protocol, guest: port.guest, host: port.host === 'auto' ? await hostPorts() : port.host })),
  ]);
}

export interface SpecInput {
  plan: VmPlan;
  request: Pick<CreateRequest, 'dir' | 'consoleLog'>;
  options: LibvirtOptions;
  sound: ChosenSound;
  disk: { path: string; format: 'qcow2' };
  seed: SeedFile;
  forwards: Forward[];
}

/** The seed as uploaded: a drive, or an fw_cfg file (Ignition's `opt/com.coreos/config`). Paths on the libvirt host. */
export type SeedFile = { path: string; attachAs: 'cdrom' | 'disk' } | { path: string; attachAs: 'fwcfg'; name: string };

function networking(input: SpecInput): Networking {
  if (input.options.network) return { kind: 'network', network: input.options.network };
  return { kind: 'user', bindAddress: forwardAddresses(input.options.uri, input.options.listen).bind, forwards: input.forwards };
}

/** The domain's full description from the plan and what create() prepared. */
export function domainSpec(input: SpecInput): DomainSpec {
  const { plan, request, options } = input;
  const hardware = plan.hardware;
  const console = !hardware.serial
    ? undefined
    : options.console === 'socket'
      ? { kind: 'unix' as const, socketPath: join(request.dir, 'console.sock'), logPath: request.consoleLog }
      : { kind: 'pty' as const };
  return {
    name: domainName(plan),
    lab: plan.lab,
    vm: plan.name,
    memoryMiB: plan.memoryMiB,
    cpus: plan.cpus,
    machine: hardware.machine,
    firmware: hardware.firmware,
    accelerator: options.kvm ? 'kvm' : 'qemu',
    diskPath: input.disk.path,
    diskFormat: input.disk.format,
    ...(input.seed.attachAs === 'fwcfg' ? { fwcfg: { name: input.seed.name, path: input.seed.path } } : { seedPath: input.seed.path, seedAs: input.seed.attachAs }),
    console,
    sound: input.sound,
    graphics: hardware.graphics,
    nics: hardware.nics,
    networking: networking(input),
    macs: macAddresses(plan, hardware.nics),
  };
}
