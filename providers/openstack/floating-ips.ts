import { AtomlabError } from '../../lab/errors/index.js';
import type { OpenstackClient } from './openstack-client.js';
import { floatingDescription } from './lab-resources.js';

/** Gives the server a floating IP from the external network, on its first port, unless it has one; described with the lab and VM so down finds it. */
export async function attachFloatingIp(request: { client: OpenstackClient; tag: string; vm: string; serverId: string; network: string }): Promise<void> {
  const { client } = request;
  const description = floatingDescription(request.tag, request.vm);
  if ((await client.floatingIps()).some((ip) => ip.description === description)) return;
  const network = await client.network(request.network);
  if (!network) throw new AtomlabError(`the cloud has no network ${request.network} to take a floating IP from`, { code: 'BAD_INPUT', context: { provider: 'openstack', vm: request.vm }, hint: 'openstack network list --external shows them' });
  const [port] = await client.ports(request.serverId);
  if (!port) throw new AtomlabError(`${request.vm}: server ${request.serverId} has no port for a floating IP`, { context: { provider: 'openstack', vm: request.vm } });
  await client.createFloatingIp({ networkId: network.id, portId: port.id, description });
}

export async function releaseFloatingIp(request: { client: OpenstackClient; tag: string; vm: string }): Promise<void> {
  const description = floatingDescription(request.tag, request.vm);
  for (const ip of (await request.client.floatingIps()).filter((candidate) => candidate.description === description)) await request.client.deleteFloatingIp(ip.id);
}
