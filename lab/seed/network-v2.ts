import { mapping, onlyKeys, refuseNetwork, routeDestination, splitAddress, stringList } from './network-addresses.js';
import type { InterfaceNetwork, NetworkInterface, NetworkRoute, ReadNetwork } from './network-data.js';

type Mapping = Record<string, unknown>;

const TOP_KEYS = new Set(['version', 'renderer', 'ethernets']);
const ETHERNET_KEYS = new Set(['match', 'set-name', 'dhcp4', 'dhcp6', 'addresses', 'gateway4', 'gateway6', 'routes', 'nameservers', 'mtu']);
const ROUTE_KEYS = new Set(['to', 'via', 'metric']);

/** The guest's name and MAC for an `ethernets:` entry: `set-name`, an exact `match.name`, or its key. */
function identity(id: string, ethernet: Mapping, where: string): Pick<NetworkInterface, 'name' | 'mac'> {
  const match = mapping(ethernet.match ?? {}, `${where}.match`);
  onlyKeys(match, new Set(['macaddress', 'name']), `${where}.match`);
  const mac = match.macaddress === undefined ? undefined : String(match.macaddress);
  if (typeof match.name === 'string' && /[*?[]/.test(match.name)) refuseNetwork(`${where}.match.name`, 'a glob cannot be written as a network_data link; match by macaddress');
  const setName = ethernet['set-name'];
  if (setName !== undefined && mac === undefined) refuseNetwork(`${where}.set-name`, 'renaming needs match.macaddress');
  const name = setName ?? match.name ?? (mac === undefined ? id : undefined);
  return { name: name === undefined ? undefined : String(name), mac };
}

function v2Route(value: unknown, where: string): NetworkRoute & { metric?: number } {
  const route = mapping(value, where);
  onlyKeys(route, ROUTE_KEYS, where);
  if (typeof route.via !== 'string') return refuseNetwork(`${where}.via`, 'a route needs via (its gateway)');
  const result: NetworkRoute & { metric?: number } = { ...routeDestination(route.to, route.via, `${where}.to`), gateway: route.via };
  if (typeof route.metric === 'number') result.metric = route.metric;
  return result;
}

/** DHCP first, then each address; gateway4/gateway6 on the first static network of their family. */
function networks(ethernet: Mapping, where: string): InterfaceNetwork[] {
  const found: InterfaceNetwork[] = [];
  if (ethernet.dhcp4 === true) found.push({ type: 'ipv4_dhcp' });
  if (ethernet.dhcp6 === true) found.push({ type: 'ipv6_dhcp' });
  const addresses = ethernet.addresses === undefined ? [] : ethernet.addresses;
  if (!Array.isArray(addresses)) return refuseNetwork(`${where}.addresses`, 'expected a list such as [10.0.0.5/24]');
  addresses.forEach((value, i) => {
    const split = splitAddress(value, `${where}.addresses[${i}]`);
    const network: InterfaceNetwork = { type: split.version === 4 ? 'ipv4' : 'ipv6', ip_address: split.address };
    if (split.netmask !== undefined) network.netmask = split.netmask;
    found.push(network);
  });
  for (const [key, type] of [['gateway4', 'ipv4'], ['gateway6', 'ipv6']] as const) {
    if (ethernet[key] === undefined) continue;
    const target = found.find((network) => network.type === type);
    if (!target) refuseNetwork(`${where}.${key}`, `needs a static ${type} address in addresses`);
    target.gateway = String(ethernet[key]);
  }
  return found;
}

/** Routes and nameservers belong to the interface; network_data keeps them on its first network. */
function attachExtras(ethernet: Mapping, found: InterfaceNetwork[], read: ReadNetwork, where: string): void {
  const routes = Array.isArray(ethernet.routes) ? ethernet.routes.map((route, i) => v2Route(route, `${where}.routes[${i}]`)) : [];
  const servers = mapping(ethernet.nameservers ?? {}, `${where}.nameservers`);
  onlyKeys(servers, new Set(['addresses', 'search']), `${where}.nameservers`);
  const dns = stringList(servers.addresses, `${where}.nameservers.addresses`);
  const search = stringList(servers.search, `${where}.nameservers.search`);
  const first = found.find((network) => network.ip_address !== undefined) ?? found[0];
  if (routes.length > 0 && !found[0]) refuseNetwork(`${where}.routes`, 'routes need dhcp4, dhcp6 or addresses on the interface');
  if (routes.length > 0) found[0]!.routes = routes;
  if (!first) {
    read.nameservers.push(...dns);
    read.search.push(...search);
    return;
  }
  if (dns.length > 0) first.dns_nameservers = dns;
  if (search.length > 0) first.dns_search = search;
}

function v2Ethernet(id: string, value: unknown, read: ReadNetwork): NetworkInterface {
  const where = `ethernets.${id}`;
  const ethernet = mapping(value, where);
  onlyKeys(ethernet, ETHERNET_KEYS, where);
  const found = networks(ethernet, where);
  attachExtras(ethernet, found, read, where);
  const iface: NetworkInterface = { id, ...identity(id, ethernet, where), networks: found };
  if (iface.name === undefined) delete iface.name;
  if (iface.mac === undefined) delete iface.mac;
  if (typeof ethernet.mtu === 'number') iface.mtu = ethernet.mtu;
  return iface;
}

/** cloud-init network config v2 (netplan): `ethernets:` only. */
export function readNetworkV2(config: Mapping): ReadNetwork {
  onlyKeys(config, TOP_KEYS, 'network');
  const read: ReadNetwork = { interfaces: [], nameservers: [], search: [] };
  const ethernets = mapping(config.ethernets ?? {}, 'ethernets');
  for (const [id, value] of Object.entries(ethernets)) read.interfaces.push(v2Ethernet(id, value, read));
  return read;
}
