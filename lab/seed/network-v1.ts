import { mapping, onlyKeys, refuseNetwork, routeDestination, splitAddress, stringList } from './network-addresses.js';
import type { InterfaceNetwork, NetworkInterface, NetworkRoute, ReadNetwork } from './network-data.js';

type Mapping = Record<string, unknown>;

const SUBNET_KEYS = new Set(['type', 'address', 'netmask', 'prefix', 'gateway', 'routes', 'dns_nameservers', 'dns_search']);
const PHYSICAL_KEYS = new Set(['type', 'name', 'mac_address', 'mtu', 'subnets']);
const PASS_THROUGH = new Set(['ipv6_slaac', 'ipv6_dhcpv6-stateless', 'ipv6_dhcpv6-stateful']);

function v1Route(value: unknown, where: string): NetworkRoute {
  const route = mapping(value, where);
  if (typeof route.gateway !== 'string') return refuseNetwork(`${where}.gateway`, 'a route needs a gateway');
  const to = route.network ?? route.destination;
  if (route.netmask === undefined && route.prefix === undefined) return { ...routeDestination(to, route.gateway, where), gateway: route.gateway };
  const split = splitAddress(to, where, { netmask: route.netmask, prefix: route.prefix });
  return { network: split.address, netmask: split.netmask ?? '', gateway: route.gateway };
}

function staticNetwork(subnet: Mapping, where: string): InterfaceNetwork {
  const split = splitAddress(subnet.address, `${where}.address`, { netmask: subnet.netmask, prefix: subnet.prefix });
  if (subnet.type === 'static6' && split.version !== 6) refuseNetwork(`${where}.address`, 'static6 needs an IPv6 address');
  const network: InterfaceNetwork = { type: split.version === 4 ? 'ipv4' : 'ipv6', ip_address: split.address };
  if (split.netmask !== undefined) network.netmask = split.netmask;
  if (subnet.gateway !== undefined) network.gateway = String(subnet.gateway);
  return network;
}

function subnetType(type: unknown, where: string): InterfaceNetwork['type'] | undefined {
  if (type === 'dhcp' || type === 'dhcp4') return 'ipv4_dhcp';
  if (type === 'dhcp6') return 'ipv6_dhcp';
  if (typeof type === 'string' && PASS_THROUGH.has(type)) return type as InterfaceNetwork['type'];
  if (type === 'static' || type === 'static6') return undefined;
  return refuseNetwork(`${where}.type`, `subnet type ${JSON.stringify(type)} is not carried by network_data.json`);
}

function v1Subnet(value: unknown, where: string): InterfaceNetwork {
  const subnet = mapping(value, where);
  onlyKeys(subnet, SUBNET_KEYS, where);
  const type = subnetType(subnet.type, where);
  const network: InterfaceNetwork = type === undefined ? staticNetwork(subnet, where) : { type };
  const routes = Array.isArray(subnet.routes) ? subnet.routes.map((route, i) => v1Route(route, `${where}.routes[${i}]`)) : [];
  if (routes.length > 0) network.routes = routes;
  const dns = stringList(subnet.dns_nameservers, `${where}.dns_nameservers`);
  const search = stringList(subnet.dns_search, `${where}.dns_search`);
  if (dns.length > 0) network.dns_nameservers = dns;
  if (search.length > 0) network.dns_search = search;
  return network;
}

function v1Physical(entry: Mapping, where: string): NetworkInterface {
  onlyKeys(entry, PHYSICAL_KEYS, where);
  if (typeof entry.name !== 'string' || entry.name === '') refuseNetwork(`${where}.name`, 'a physical interface needs a name');
  const subnets = Array.isArray(entry.subnets) ? entry.subnets : [];
  const iface: NetworkInterface = { id: entry.name, name: entry.name, networks: subnets.map((subnet, i) => v1Subnet(subnet, `${where}.subnets[${i}]`)) };
  if (typeof entry.mac_address === 'string') iface.mac = entry.mac_address;
  if (typeof entry.mtu === 'number') iface.mtu = entry.mtu;
  return iface;
}

/** cloud-init network config v1 (`config:` a list of physical and nameserver entries). */
export function readNetworkV1(config: Mapping): ReadNetwork {
  if (!Array.isArray(config.config)) refuseNetwork('config', 'version 1 needs a config: list');
  const read: ReadNetwork = { interfaces: [], nameservers: [], search: [] };
  config.config.forEach((value, i) => {
    const where = `config[${i}]`;
    const entry = mapping(value, where);
    if (entry.type === 'physical') read.interfaces.push(v1Physical(entry, where));
    else if (entry.type === 'nameserver' && entry.interface === undefined) {
      read.nameservers.push(...stringList(entry.address, `${where}.address`));
      read.search.push(...stringList(entry.search, `${where}.search`));
    } else refuseNetwork(`${where}.type`, `${JSON.stringify(entry.type)} entries are not carried by network_data.json`);
  });
  return read;
}
