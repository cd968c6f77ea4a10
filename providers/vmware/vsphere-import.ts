import { stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ovfDescriptor, type OvfVm } from './ovf-descriptor.js';
import { attr, child, children, moRef, readRef, text, type XElement, type XNode, type XValue } from './soap-xml.js';
import { VsphereFault, type MoRef, type VsphereClient } from './vsphere-client.js';
import { properties } from './vsphere-objects.js';

/**
 * OVF import through the API (what `govc import.ovf` and kola's CreateBaseDevice do):
 * CreateImportSpec → ImportVApp → wait for the HttpNfcLease → upload the streamOptimized vmdk
 * to the lease's device URL (its host is `*`: this server) → read `info.entity` → complete.
 */

export interface ImportTarget {
  pool: MoRef;
  folder: MoRef;
  datastore: MoRef;
  network: MoRef;
  /** The host to place the VM on (a standalone ESXi's only host). */
  host?: MoRef;
}

/** A parsed element back into a value to serialize (an import spec sent back as it came). */
export function toElement(node: XNode): XElement {
  const out: XElement = {};
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.map((item): XValue => (Object.keys(item).length === 1 && typeof item['#text'] === 'string' && !attr(item, 'xsi:type') ? item['#text'] : toElement(item)));
  }
  return out;
}

async function importSpec(client: VsphereClient, vm: OvfVm, target: ImportTarget): Promise<{ spec: XNode; fileItems: XNode }> {
  const result = await client.call('CreateImportSpec', {
    _this: moRef(client.service('ovfManager')),
    ovfDescriptor: ovfDescriptor(vm),
    resourcePool: moRef(target.pool),
    datastore: moRef(target.datastore),
    cisp: { locale: '', deploymentOption: '', entityName: vm.name, networkMapping: { name: vm.network, network: moRef(target.network) }, diskProvisioning: 'thin' },
  });
  const errors = children(result, 'error').map((error) => text(child(error, 'localizedMessage')) || attr(error, 'xsi:type') || 'error');
  if (errors.length > 0) throw new VsphereFault('OvfImportFailed', errors.join('; '), 'CreateImportSpec');
  const spec = child(result, 'importSpec');
  if (!spec) throw new VsphereFault('InvalidResponse', 'CreateImportSpec returned no import spec', 'CreateImportSpec');
  return { spec, fileItems: result ?? {} };
}

async function leaseReady(client: VsphereClient, lease: MoRef, signal?: AbortSignal): Promise<XNode> {
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    const props = await properties(client, lease, ['state', 'error']);
    const state = text(props.get('state'));
    if (state === 'ready') return (await properties(client, lease, ['info'])).get('info') ?? {};
    if (state === 'error') throw new VsphereFault(attr(child(props.get('error'), 'fault'), 'xsi:type') ?? 'LeaseError', text(child(props.get('error'), 'localizedMessage')) || 'the import lease failed', 'ImportVApp');
    await delay(wait, undefined, { signal });
  }
}

/** The lease URL with `*` replaced by the server this client talks to. */
export function leaseUrl(client: VsphereClient, url: string): string {
  const parsed = new URL(url.replace('://*', '://placeholder.invalid'));
  return parsed.hostname === 'placeholder.invalid' ? `${client.origin}${parsed.pathname}${parsed.search}` : url;
}

/** Imports the VM with its disk; returns the new VM's reference. */
export async function importOvf(client: VsphereClient, options: { vm: Omit<OvfVm, 'diskFileBytes'>; diskPath: string; target: ImportTarget; signal?: AbortSignal }): Promise<MoRef> {
  const vm = { ...options.vm, diskFileBytes: (await stat(options.diskPath)).size };
  const result = await importSpec(client, vm, options.target);
  const spec = result.spec;
  const lease = readRef(await client.call('ImportVApp', {
    _this: moRef(options.target.pool),
    spec: toElement(spec),
    folder: moRef(options.target.folder),
    ...(options.target.host ? { host: moRef(options.target.host) } : {}),
  }));
  if (!lease) throw new VsphereFault('InvalidResponse', 'ImportVApp returned no lease', 'ImportVApp');
  try {
    const info = await leaseReady(client, lease, options.signal);
    const diskKeys = new Set(children(result.fileItems, 'fileItem').map((item) => text(child(item, 'deviceId'))));
    for (const device of children(info, 'deviceUrl').filter((url) => diskKeys.has(text(child(url, 'importKey'))))) {
      await client.upload(leaseUrl(client, text(child(device, 'url'))), options.diskPath, { method: 'POST', contentType: 'application/x-vnd.vmware-streamVmdk' });
    }
    await client.call('HttpNfcLeaseProgress', { _this: moRef(lease), percent: 100 });
    const entity = readRef(child(info, 'entity'));
    if (!entity) throw new VsphereFault('InvalidResponse', 'the import lease names no VM', 'ImportVApp');
    await client.call('HttpNfcLeaseComplete', { _this: moRef(lease) });
    return entity;
  } catch (error) {
    await client.call('HttpNfcLeaseAbort', { _this: moRef(lease) }).catch(() => undefined);
    throw error;
  }
}
