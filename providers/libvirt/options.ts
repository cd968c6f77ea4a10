import { AtomlabError } from '../../lab/errors/index.js';

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
  /** Run guests with KVM: only when the caller has proven KVM works (a boot probe); else TCG. */
  kvm: boolean;
  /** How to read the serial console: a local unix socket, or a pty through the API. */
  console: 'socket' | 'stream';
  /** QEMU device names for sound support; absent: asked from the local qemu-system-x86_64. */
  qemuDevices: string[] | undefined;
  /** How long probe() waits for the connection. */
  probeTimeoutMs: number;
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

function pick<T>(options: Record<string, unknown>, key: string, valid: (value: unknown) => value is T): T | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (valid(value)) return value;
  throw new AtomlabError(`libvirt provider option "${key}" has an invalid value: ${JSON.stringify(value)}`, {
    code: 'BAD_INPUT',
    context: { provider: 'libvirt' },
  });
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isNumber = (value: unknown): value is number => typeof value === 'number' && value > 0;
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');
const isConsole = (value: unknown): value is 'socket' | 'stream' => value === 'socket' || value === 'stream';

/** Fills defaults once: everything downstream reads a complete LibvirtOptions. */
export function resolveOptions(options: Record<string, unknown>): LibvirtOptions {
  const uri = pick(options, 'uri', isString) ?? 'qemu:///system';
  const pool = pick(options, 'pool', isString) ?? DEFAULT_POOL;
  const poolPath = pick(options, 'poolPath', isString);
  return {
    uri,
    pool,
    poolPath: poolPath ?? '/var/lib/libvirt/images/atomlab',
    createPool: pool === DEFAULT_POOL || poolPath !== undefined,
    network: pick(options, 'network', isString),
    kvm: pick(options, 'kvm', isBoolean) ?? false,
    console: pick(options, 'console', isConsole) ?? (isLocalUri(uri) ? 'socket' : 'stream'),
    qemuDevices: pick(options, 'qemuDevices', isStringList),
    probeTimeoutMs: pick(options, 'probeTimeoutMs', isNumber) ?? 5000,
    listen: pick(options, 'listen', isString),
  };
}
