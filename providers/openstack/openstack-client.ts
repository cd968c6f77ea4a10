import { AtomlabError } from '../../lab/errors/index.js';
import type { CloudConfig } from './clouds-config.js';
import { isNotFound } from './openstack-errors.js';
import { OpenstackSession, type CallRequest } from './openstack-session.js';

export interface Flavor { id: string; name: string; vcpus: number; ram: number; disk: number }
export interface SecurityGroup { id: string; name: string; security_group_rules: SecurityGroupRule[] }
export interface SecurityGroupRule { direction: string; ethertype: string; protocol: string | null; port_range_min: number | null; port_range_max: number | null; remote_ip_prefix: string | null }
export interface ServerAddress { addr: string; version: number; 'OS-EXT-IPS:type'?: 'fixed' | 'floating' }
export interface Server { id: string; name: string; status: string; metadata: Record<string, string>; addresses: Record<string, ServerAddress[]>; accessIPv4?: string; accessIPv6?: string; fault?: { message?: string; code?: number }; image?: { id: string } | string; 'OS-EXT-STS:task_state'?: string | null }
export interface GlanceImage { id: string; name: string; status: string; size?: number | null; [property: string]: unknown }
export interface FloatingIp { id: string; floating_ip_address: string; description: string; port_id: string | null }

/** Nova's microversion headers (the current one, and the one Nova before Ocata reads). */
const COMPUTE_2_45 = { 'openstack-api-version': 'compute 2.45', 'x-openstack-nova-api-version': '2.45' };

const json = <T>(result: { body: unknown }) => result.body as T;

/**
 * A thin REST client of Nova (compute v2.1), Neutron (network v2.0) and Glance (image v2): one
 * method per call atomlab makes, plain data in and out, every failure an AtomlabError. No lab
 * logic here; auth, endpoints and rate limits are the session's.
 */
export class OpenstackClient {
  readonly session: OpenstackSession;

  constructor(config: CloudConfig) {
    this.session = new OpenstackSession(config);
  }

  private call(request: CallRequest) {
    return this.session.call(request);
  }

  private async remove(request: Omit<CallRequest, 'method'>): Promise<void> {
    await this.call({ ...request, method: 'DELETE' }).catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
  }

  async flavors(): Promise<Flavor[]> {
    return json<{ flavors: Flavor[] }>(await this.call({ service: 'compute', operation: 'list flavors', method: 'GET', path: '/flavors/detail' })).flavors;
  }

  async keypairs(): Promise<string[]> {
    const { keypairs } = json<{ keypairs: { keypair: { name: string } }[] }>(await this.call({ service: 'compute', operation: 'list key pairs', method: 'GET', path: '/os-keypairs' }));
    return keypairs.map((entry) => entry.keypair.name);
  }

  async createKeypair(name: string, publicKey: string): Promise<void> {
    await this.call({ service: 'compute', operation: `create key pair ${name}`, method: 'POST', path: '/os-keypairs', json: { keypair: { name, public_key: publicKey } } });
  }

  async deleteKeypair(name: string): Promise<void> {
    await this.remove({ service: 'compute', operation: `delete key pair ${name}`, path: `/os-keypairs/${encodeURIComponent(name)}` });
  }

  async securityGroups(name: string): Promise<SecurityGroup[]> {
    const result = await this.call({ service: 'network', operation: 'list security groups', method: 'GET', path: `/security-groups?name=${encodeURIComponent(name)}` });
    return json<{ security_groups: SecurityGroup[] }>(result).security_groups.filter((group) => group.name === name);
  }

  async createSecurityGroup(name: string, description: string): Promise<string> {
    const result = await this.call({ service: 'network', operation: `create security group ${name}`, method: 'POST', path: '/security-groups', json: { security_group: { name, description } } });
    return json<{ security_group: SecurityGroup }>(result).security_group.id;
  }

  async createRule(rule: SecurityGroupRule & { security_group_id: string }): Promise<void> {
    await this.call({ service: 'network', operation: 'create security group rule', method: 'POST', path: '/security-group-rules', json: { security_group_rule: rule }, accept: [409] });
  }

  async deleteSecurityGroup(id: string): Promise<void> {
    await this.remove({ service: 'network', operation: `delete security group ${id}`, path: `/security-groups/${id}` });
  }

  async network(nameOrId: string): Promise<{ id: string; name: string } | undefined> {
    const byName = await this.call({ service: 'network', operation: 'find network', method: 'GET', path: `/networks?name=${encodeURIComponent(nameOrId)}` });
    const named = json<{ networks: { id: string; name: string }[] }>(byName).networks[0];
    if (named) return named;
    const byId = await this.call({ service: 'network', operation: 'find network', method: 'GET', path: `/networks/${encodeURIComponent(nameOrId)}`, accept: [404] });
    return byId.status === 404 ? undefined : json<{ network: { id: string; name: string } }>(byId).network;
  }

  async ports(deviceId: string): Promise<{ id: string }[]> {
    return json<{ ports: { id: string }[] }>(await this.call({ service: 'network', operation: 'list ports', method: 'GET', path: `/ports?device_id=${deviceId}` })).ports;
  }

  async floatingIps(): Promise<FloatingIp[]> {
    return json<{ floatingips: FloatingIp[] }>(await this.call({ service: 'network', operation: 'list floating IPs', method: 'GET', path: '/floatingips' })).floatingips;
  }

  async createFloatingIp(request: { networkId: string; portId: string; description: string }): Promise<FloatingIp> {
    const body = { floatingip: { floating_network_id: request.networkId, port_id: request.portId, description: request.description } };
    return json<{ floatingip: FloatingIp }>(await this.call({ service: 'network', operation: 'create floating IP', method: 'POST', path: '/floatingips', json: body })).floatingip;
  }

  async deleteFloatingIp(id: string): Promise<void> {
    await this.remove({ service: 'network', operation: `delete floating IP ${id}`, path: `/floatingips/${id}` });
  }

  /** Servers whose name starts with the prefix (Nova filters names by regular expression). */
  async servers(namePrefix: string): Promise<Server[]> {
    const escaped = namePrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const result = await this.call({ service: 'compute', operation: 'list servers', method: 'GET', path: `/servers/detail?name=${encodeURIComponent(`^${escaped}`)}` });
    return json<{ servers: Server[] }>(result).servers.filter((server) => server.name.startsWith(namePrefix));
  }

  async server(id: string): Promise<Server | undefined> {
    const result = await this.call({ service: 'compute', operation: `show server ${id}`, method: 'GET', path: `/servers/${id}`, accept: [404] });
    return result.status === 404 ? undefined : json<{ server: Server }>(result).server;
  }

  async createServer(server: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    return json<{ server: { id: string } }>(await this.call({ service: 'compute', operation: `create server ${String(server.name)}`, method: 'POST', path: '/servers', json: { server }, signal })).server.id;
  }

  async deleteServer(id: string): Promise<void> {
    await this.remove({ service: 'compute', operation: `delete server ${id}`, path: `/servers/${id}` });
  }

  async serverAction(id: string, action: Record<string, unknown>): Promise<unknown> {
    return (await this.call({ service: 'compute', operation: `${Object.keys(action)[0]} server ${id}`, method: 'POST', path: `/servers/${id}/action`, json: action })).body;
  }

  /**
   * `createImage` at compute microversion 2.45, which answers `{image_id}`; a Nova older than
   * 2.45 (before Pike) answers 406 to that, and is asked again at 2.1, which answers with a
   * `Location` header naming the image.
   */
  async createServerImage(id: string, image: { name: string; metadata: Record<string, string> }): Promise<string> {
    const request = { service: 'compute' as const, operation: `createImage ${image.name} of server ${id}`, method: 'POST', path: `/servers/${id}/action`, json: { createImage: image } };
    const result = await this.call({ ...request, headers: COMPUTE_2_45, accept: [406] });
    const answered = result.status === 406 ? await this.call(request) : result;
    const imageId = (answered.body as { image_id?: string } | undefined)?.image_id ?? /\/images\/([^/?#]+)\/?$/.exec(answered.headers.get('location') ?? '')?.[1];
    if (!imageId) throw new AtomlabError(`createImage of server ${id}: Nova answered no image id`, { context: { provider: 'openstack', server: id } });
    return imageId;
  }

  /** `rebuild` with only `imageRef` (2.1): Nova keeps the server's name, metadata, key pair, user-data, config drive and ports. */
  async rebuildServer(id: string, imageId: string): Promise<void> {
    await this.call({ service: 'compute', operation: `rebuild server ${id}`, method: 'POST', path: `/servers/${id}/action`, json: { rebuild: { imageRef: imageId } } });
  }

  async consoleOutput(id: string): Promise<string> {
    return ((await this.serverAction(id, { 'os-getConsoleOutput': {} })) as { output?: string }).output ?? '';
  }

  /** Images with these properties (Glance filters on custom properties); follows `next` pages. */
  async images(properties: Record<string, string>): Promise<GlanceImage[]> {
    const found: GlanceImage[] = [];
    let path: string | undefined = `/images?${new URLSearchParams({ ...properties, limit: '200' }).toString()}`;
    while (path) {
      const page: { images: GlanceImage[]; next?: string } = json(await this.call({ service: 'image', operation: 'list images', method: 'GET', path }));
      found.push(...page.images);
      path = page.next?.replace(/^\/v2/, '');
    }
    return found;
  }

  async image(id: string): Promise<GlanceImage | undefined> {
    const result = await this.call({ service: 'image', operation: `show image ${id}`, method: 'GET', path: `/images/${id}`, accept: [404] });
    return result.status === 404 ? undefined : json<GlanceImage>(result);
  }

  async createImage(image: Record<string, unknown>): Promise<GlanceImage> {
    return json<GlanceImage>(await this.call({ service: 'image', operation: `create image ${String(image.name)}`, method: 'POST', path: '/images', json: image }));
  }

  async uploadImage(id: string, data: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<void> {
    await this.call({ service: 'image', operation: `upload image ${id}`, method: 'PUT', path: `/images/${id}/file`, stream: data, signal });
  }

  async deleteImage(id: string): Promise<void> {
    await this.remove({ service: 'image', operation: `delete image ${id}`, path: `/images/${id}` });
  }
}
