import { readFileSync } from 'node:fs';
import { AtomlabError } from '../../lab/errors/index.js';
import { vsphereCredentials, type VmwareOptions } from './options.js';
import { at, text } from './soap-xml.js';
import { VsphereClient, vsphereError, type MoRef } from './vsphere-client.js';
import { listObjects, readRef, type ObjectProps } from './vsphere-objects.js';

/** A logged-in vSphere session and where the lab's VMs go (datacenter, datastore, network, pool). */
export interface EsxiPlace {
  client: VsphereClient;
  /** `VirtualCenter` (vCenter: templates and clones) or `HostAgent` (a standalone ESXi). */
  apiType: string;
  datacenter: { name: string; ref: MoRef; vmFolder: MoRef };
  datastore: { name: string; ref: MoRef };
  network: MoRef;
  pool: MoRef;
  host?: MoRef;
}

function pickNamed(objects: ObjectProps[], wanted: string | undefined, what: string, url: string): ObjectProps {
  const names = objects.map((object) => text(object.props.get('name')));
  const found = wanted === undefined ? (objects.length === 1 ? objects[0] : undefined) : objects[names.indexOf(wanted)];
  if (found) return found;
  const message = wanted === undefined ? `${url} has ${objects.length} ${what}s; name one` : `${what} "${wanted}" does not exist on ${url}`;
  throw new AtomlabError(`vmware: ${message}`, { code: 'BAD_INPUT', hint: `available: ${names.join(', ') || 'none'} (provider option ${what})`, context: { provider: 'vmware', url } });
}

async function connectClient(options: VmwareOptions): Promise<VsphereClient> {
  if (!options.url) throw new AtomlabError('vmware: target esxi needs the provider option url (https://HOST/sdk)', { code: 'BAD_INPUT', context: { provider: 'vmware' } });
  const { username, password } = vsphereCredentials(options);
  if (!username || !password) {
    throw new AtomlabError(`vmware: no vSphere login for ${options.url}`, { code: 'BAD_INPUT', hint: 'set ATOMLAB_VSPHERE_USERNAME and ATOMLAB_VSPHERE_PASSWORD (or credentials: {username, passwordEnv: VAR})', context: { provider: 'vmware', url: options.url } });
  }
  const ca = options.caFile ? readFileSync(options.caFile, 'utf8') : undefined;
  const client = new VsphereClient({ url: options.url, ca, insecure: options.insecure, timeoutMs: options.timeoutSeconds * 1000 });
  try {
    await client.connect();
    await client.login(username, password);
  } catch (error) {
    throw vsphereError(error, `login to ${options.url} as ${username}`, { url: options.url });
  }
  return client;
}

/** Logs in and finds the lab's place; every problem is an AtomlabError naming what to fix. */
export async function openPlace(options: VmwareOptions): Promise<EsxiPlace> {
  const client = await connectClient(options);
  const url = options.url ?? '';
  try {
    const datacenter = pickNamed(await listObjects(client, 'Datacenter', ['name', 'vmFolder']), options.datacenter, 'datacenter', url);
    const datastore = pickNamed(await listObjects(client, 'Datastore', ['name']), options.datastore, 'datastore', url);
    const network = pickNamed(await listObjects(client, 'Network', ['name']), options.network, 'network', url);
    const pools = await listObjects(client, 'ResourcePool', ['name', 'parent']);
    const pool = pools.find((candidate) => readRef(candidate.props.get('parent'))?.type !== 'ResourcePool') ?? pools[0];
    const hosts = await listObjects(client, 'HostSystem', ['name']);
    if (!pool) throw new AtomlabError(`vmware: ${url} has no resource pool`, { context: { provider: 'vmware', url } });
    return {
      client,
      apiType: text(at(client.serviceContent, 'about', 'apiType')),
      datacenter: { name: text(datacenter.props.get('name')), ref: datacenter.ref, vmFolder: readRef(datacenter.props.get('vmFolder')) ?? datacenter.ref },
      datastore: { name: text(datastore.props.get('name')), ref: datastore.ref },
      network: network.ref,
      pool: pool.ref,
      host: hosts.length === 1 ? hosts[0]?.ref : undefined,
    };
  } catch (error) {
    await client.logout();
    throw vsphereError(error, `finding the datacenter, datastore and network on ${url}`, { url });
  }
}

/** The URL of a datastore file over HTTP (`/folder/<path>?dcPath=…&dsName=…`). */
export function datastoreFileUrl(place: EsxiPlace, path: string): string {
  const url = new URL(`/folder/${path.split('/').map(encodeURIComponent).join('/')}`, place.client.origin);
  url.searchParams.set('dcPath', place.datacenter.name);
  url.searchParams.set('dsName', place.datastore.name);
  return url.toString();
}
