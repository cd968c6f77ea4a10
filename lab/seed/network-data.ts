import { readNetworkV1 } from './network-v1.js';
import { readNetworkV2 } from './network-v2.js';
import { refuseNetwork } from './network-addresses.js';
import { unwrapNetworkConfig } from './drive-files.js';

/**
 * Netplan-style network config (cloud-init v1 or v2) as OpenStack `network_data.json`, in the
 * subset cloud-init's ConfigDrive source reads back (cloudinit.sources.helpers.openstack
 * convert_net_json): physical links found by name or MAC, their DHCP / SLAAC / static networks
 * with gateway, routes and per-network DNS, and global nameservers as `dns` services.
 */

export interface NetworkRoute {
  network: string;
  netmask: string;
  gateway: string;
}

/** One interface's address configuration, before it becomes a network_data `networks` entry. */
export interface InterfaceNetwork {
  type: 'ipv4_dhcp' | 'ipv6_dhcp' | 'ipv6_slaac' | 'ipv6_dhcpv6-stateless' | 'ipv6_dhcpv6-stateful' | 'ipv4' | 'ipv6';
  ip_address?: string;
  netmask?: string;
  gateway?: string;
  routes?: NetworkRoute[];
  dns_nameservers?: string[];
  dns_search?: string[];
}

/** A physical interface as v1 and v2 both describe it. */
export interface NetworkInterface {
  id: string;
  /** The guest's name for it (v1 `name`, v2 `set-name` or its key). */
  name?: string;
  mac?: string;
  mtu?: number;
  networks: InterfaceNetwork[];
}

export interface ReadNetwork {
  interfaces: NetworkInterface[];
  nameservers: string[];
  search: string[];
}

export interface NetworkData {
  links: { id: string; type: 'phy'; name?: string; ethernet_mac_address?: string; mtu?: number }[];
  networks: (InterfaceNetwork & { id: string; link: string })[];
  services: { type: 'dns'; address: string; search?: string[] }[];
}

function link(iface: NetworkInterface): NetworkData['links'][number] {
  const entry: NetworkData['links'][number] = { id: iface.id, type: 'phy' };
  if (iface.name !== undefined) entry.name = iface.name;
  if (iface.mac !== undefined) entry.ethernet_mac_address = iface.mac.toLowerCase();
  if (iface.mtu !== undefined) entry.mtu = iface.mtu;
  return entry;
}

/**
 * Global nameservers become `dns` services; cloud-init turns each service into a v1
 * `nameserver` entry as it is, so the search domains ride on the first one.
 */
function services(read: ReadNetwork): NetworkData['services'] {
  return read.nameservers.map((address, i) => (i === 0 && read.search.length > 0 ? { type: 'dns', address, search: read.search } : { type: 'dns', address }));
}

export function networkData(read: ReadNetwork): NetworkData {
  const networks = read.interfaces.flatMap((iface) => iface.networks.map((network) => ({ ...network, link: iface.id })));
  return {
    links: read.interfaces.map(link),
    networks: networks.map((network, i) => ({ id: `network${i}`, ...network })),
    services: services(read),
  };
}

/** Translates cloud-init network config v1 or v2 (optionally under a `network:` key) to network_data.json. */
export function toNetworkData(config: Record<string, unknown>): NetworkData {
  const inner = unwrapNetworkConfig(config);
  if (inner.version === 1) return networkData(readNetworkV1(inner));
  if (inner.version === 2) return networkData(readNetworkV2(inner));
  return refuseNetwork('version', `expected version 1 or 2, not ${JSON.stringify(inner.version)}`);
}
