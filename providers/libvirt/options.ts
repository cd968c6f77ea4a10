import { z } from 'zod';

/** The libvirt provider's scenario options (`provider: {name: libvirt, …}`), composed into the scenario schema. */
export const libvirtOptions = z.strictObject({
  uri: z.string().regex(/^[a-z0-9+]+:\/\/\S*$/, { error: 'must be a libvirt URI such as qemu:///system' }).optional().describe('libvirt connection URI (default qemu:///system)'),
  pool: z.string().min(1).optional().describe('storage pool for base images, disks and seeds (default atomlab, created when missing)'),
  poolPath: z.string().min(1).optional().describe('directory for the pool when atomlab creates it (a path on the libvirt host)'),
  network: z
    .union([z.string().min(1), z.strictObject({ create: z.literal('nat'), subnet: z.string().regex(/^\d{1,3}\.\d{1,3}\.\d{1,3}\.0\/24$/, { error: 'must be a /24 such as 192.168.210.0/24' }).optional() })])
    .optional()
    .describe('a libvirt network for the NICs (default: user networking with forwarded ports); {create: nat} makes a private NAT network for the lab and removes it at down'),
  listen: z.ipv4({ error: 'must be an IPv4 address of the libvirt host, or 0.0.0.0 for all' }).optional().describe('address forwarded ports are bound to on the libvirt host (default 127.0.0.1 locally, 0.0.0.0 remotely)'),
  kvm: z.boolean().optional().describe('run guests with KVM (only where KVM really works; default TCG)'),
  console: z.enum(['socket', 'stream']).optional().describe('read the serial console from a local socket or through the API (default: socket for a local URI)'),
  qemuDevices: z.array(z.string()).optional().describe('QEMU device names for sound support (default: asked from the local qemu-system-x86_64)'),
  probeTimeoutMs: z.number().int().positive().optional().describe('how long the availability probe waits for the connection'),
  reconnectTimeoutMs: z.number().int().positive().optional().describe('how long an operation waits for a libvirtd that is not answering (stopped or restarting) before it fails (default 60000)'),
});

export type LibvirtScenarioOptions = z.output<typeof libvirtOptions>;

/** The libvirt provider's settings, every field decided. */
export interface LibvirtOptions {
  uri: string;
  /** Storage pool for base images, overlays and seeds. */
  pool: string;
  /** Directory of the pool when atomlab has to create it (a path on the libvirt host). */
  poolPath: string;
  /** Create the pool when missing: atomlab's own pool, or any pool given a poolPath. */
  createPool: boolean;
  /** A libvirt (NAT) network for the NICs; absent: user networking with forwarded ports. */
  network: string | undefined;
  /** Make a private NAT network for the lab (a lab resource): its /24, or absent to pick a free one. */
  labNetwork: { subnet: string | undefined } | undefined;
  /** Run guests with KVM: only when the caller has proven KVM works (a boot probe); else TCG. */
  kvm: boolean;
  /** How to read the serial console: a local unix socket, or a pty through the API. */
  console: 'socket' | 'stream';
  /** QEMU device names for sound support; absent: asked from the local qemu-system-x86_64. */
  qemuDevices: string[] | undefined;
  /** How long probe() waits for the connection. */
  probeTimeoutMs: number;
  /** How long an operation waits for a libvirtd that is not answering (stopped or restarting). */
  reconnectTimeoutMs: number;
  /** Address forwarded ports are bound to on the libvirt host; absent: 127.0.0.1 for a local URI, 0.0.0.0 for a remote one. */
  listen: string | undefined;
}

export const DEFAULT_POOL = 'atomlab';

/** True when the URI reaches this machine's daemon without a network transport. */
export function isLocalUri(uri: string): boolean {
  const match = /^([a-z0-9]+)(?:\+([a-z0-9]+))?:\/\/([^/]*)\//i.exec(uri);
  if (!match) return false;
  const [, , transport, host] = match;
  return (transport === undefined || transport === 'unix') && (host ?? '') === '';
}

/** The host part of a URI (empty for local ones). */
export function uriHost(uri: string): string {
  const authority = /^[a-z0-9+]+:\/\/([^/]*)\//i.exec(uri)?.[1] ?? '';
  const withoutUser = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
  return withoutUser.startsWith('[') ? withoutUser.slice(1, withoutUser.indexOf(']')) : (withoutUser.split(':')[0] ?? '');
}

export function isLoopback(host: string): boolean {
  return host === '' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Fills defaults once: everything downstream reads a complete LibvirtOptions. */
export function resolveOptions(options: LibvirtScenarioOptions): LibvirtOptions {
  const uri = options.uri ?? 'qemu:///system';
  const pool = options.pool ?? DEFAULT_POOL;
  const network = options.network;
  return {
    uri,
    pool,
    poolPath: options.poolPath ?? '/var/lib/libvirt/images/atomlab',
    createPool: pool === DEFAULT_POOL || options.poolPath !== undefined,
    network: typeof network === 'string' ? network : undefined,
    labNetwork: typeof network === 'object' ? { subnet: network.subnet } : undefined,
    kvm: options.kvm ?? false,
    console: options.console ?? (isLocalUri(uri) ? 'socket' : 'stream'),
    qemuDevices: options.qemuDevices,
    probeTimeoutMs: options.probeTimeoutMs ?? 5000,
    reconnectTimeoutMs: options.reconnectTimeoutMs ?? 60_000,
    listen: options.listen,
  };
}
