import { isIPv4, isIPv6 } from 'node:net';
import { AtomlabError } from '../errors/index.js';

/** A network config that cannot travel as OpenStack network_data.json; `where` is its path. */
export function refuseNetwork(where: string, problem: string): never {
  throw new AtomlabError(`network config ${where}: ${problem}`, {
    code: 'BAD_INPUT',
    hint: 'config-2 network_data.json carries physical interfaces with DHCP, static addresses, routes and nameservers; write other network configs with seed: nocloud',
    context: { networkConfig: where },
  });
}

export function mapping(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuseNetwork(where, 'expected a mapping');
  return value as Record<string, unknown>;
}

/** Refuses the first key that is not in `allowed`, naming what is. */
export function onlyKeys(entry: Record<string, unknown>, allowed: Set<string>, where: string): void {
  const extra = Object.keys(entry).find((key) => !allowed.has(key));
  if (extra !== undefined) refuseNetwork(`${where}.${extra}`, `is not carried by network_data.json (known here: ${[...allowed].join(', ')})`);
}

function family(address: string, where: string): 4 | 6 {
  if (isIPv4(address)) return 4;
  if (isIPv6(address)) return 6;
  return refuseNetwork(where, `${JSON.stringify(address)} is not an IP address`);
}

/** A prefix length as a netmask: dotted quad for IPv4, eight hex groups for IPv6 (as OpenStack writes them). */
export function prefixToNetmask(prefix: number, version: 4 | 6, where: string): string {
  const bits = version === 4 ? 32 : 128;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) refuseNetwork(where, `prefix /${prefix} is out of range for IPv${version}`);
  const mask = (BigInt(1) << BigInt(bits)) - (BigInt(1) << BigInt(bits - prefix));
  if (version === 4) return [24, 16, 8, 0].map((shift) => Number((mask >> BigInt(shift)) & BigInt(255))).join('.');
  return Array.from({ length: 8 }, (_, i) => ((mask >> BigInt(112 - 16 * i)) & BigInt(0xffff)).toString(16)).join(':');
}

/** An address, its netmask and its family, from `10.0.0.5/24`, or `10.0.0.5` with a netmask or prefix. */
export interface SplitAddress {
  address: string;
  netmask?: string;
  version: 4 | 6;
}

export function splitAddress(value: unknown, where: string, mask?: { netmask?: unknown; prefix?: unknown }): SplitAddress {
  if (typeof value !== 'string') return refuseNetwork(where, 'an address must be a string such as 10.0.0.5/24');
  const [address, prefixText, extra] = value.split('/');
  const version = family(address!, where);
  if (extra !== undefined || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) refuseNetwork(where, `${JSON.stringify(value)} has a bad prefix`);
  const prefix = prefixText ?? mask?.prefix;
  if (prefix !== undefined) return { address: address!, version, netmask: prefixToNetmask(Number(prefix), version, where) };
  if (mask?.netmask === undefined) return { address: address!, version };
  if (typeof mask.netmask !== 'string' || family(mask.netmask, where) !== version) refuseNetwork(where, `netmask ${JSON.stringify(mask.netmask)} does not fit ${address}`);
  return { address: address!, version, netmask: mask.netmask };
}

/** A route's destination (`10.1.0.0/16`, `default`) as OpenStack's network + netmask. */
export function routeDestination(to: unknown, via: string, where: string): { network: string; netmask: string } {
  if (to === 'default') return family(via, where) === 4 ? { network: '0.0.0.0', netmask: '0.0.0.0' } : { network: '::', netmask: prefixToNetmask(0, 6, where) };
  const split = splitAddress(to, where);
  return { network: split.address, netmask: split.netmask ?? prefixToNetmask(split.version === 4 ? 32 : 128, split.version, where) };
}

/** A string or a list of strings as a list (v1 lets one nameserver be a bare string). */
export function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((item): item is string => typeof item === 'string')) refuseNetwork(where, 'expected a string or a list of strings');
  return list;
}
