import { AtomlabError } from '../../lab/errors/index.js';
import type { BaseDisk, CreateRequest } from '../../lab/provider/index.js';
import { datastoreFileUrl, type EsxiPlace } from './esxi-session.js';
import type { VmwareOptions } from './options.js';
import { moRef, text } from './soap-xml.js';
import type { MoRef } from './vsphere-client.js';
import { datastorePath, findByName, listObjects } from './vsphere-objects.js';
import { seedGuestinfo } from './seed-guestinfo.js';
import { importOvf } from './vsphere-import.js';
import { cloneVm, reconfigure } from './vsphere-vm.js';

/**
 * Making a lab VM on ESXi/vCenter. vCenter: the base image is imported once per lab and image
 * digest as a template, and each VM is a clone of it; a standalone ESXi host cannot clone
 * (CloneVM_Task is vCenter's), so there each VM is its own import. Every VM and template carries
 * the annotation `atomlab-lab: <lab>`, by which `down` finds them again after a crash.
 */

export interface EsxiVmData extends Record<string, unknown> {
  target: 'esxi';
  url: string;
  vm: MoRef;
  vmName: string;
  datastore: string;
}

export const labAnnotation = (lab: string) => `atomlab-lab: ${lab}`;
/** A short, name-safe form of the base image's digest (`sha256-<hex>`, `recipe-<hex>`). */
export const shortDigest = (base: BaseDisk) => base.digest.replace(/^[a-z0-9]+-/, '').slice(0, 12);
const templateName = (lab: string, base: BaseDisk) => `${lab}-template-${shortDigest(base)}`;

function importTarget(place: EsxiPlace) {
  return { pool: place.pool, folder: place.datacenter.vmFolder, datastore: place.datastore.ref, network: place.network, host: place.host };
}

async function importBase(place: EsxiPlace, options: { name: string; request: CreateRequest; vmware: VmwareOptions; signal?: AbortSignal }): Promise<MoRef> {
  const { plan, base } = options.request;
  const vm = { name: options.name, guestId: 'otherLinux64Guest', cpus: plan.cpus, memoryMiB: plan.memoryMiB, diskFile: 'disk.vmdk', diskCapacityBytes: base.virtualBytes, network: options.vmware.network, hardwareVersion: options.vmware.hardwareVersion };
  const ref = await importOvf(place.client, { vm, diskPath: base.path, target: importTarget(place), signal: options.signal });
  await reconfigure(place.client, ref, { annotation: labAnnotation(plan.lab) }, options.signal);
  return ref;
}

const templates = new Map<string, Promise<MoRef>>();

/** The lab's template for this base image: found, or imported and marked as a template. */
async function template(place: EsxiPlace, request: CreateRequest, vmware: VmwareOptions, signal?: AbortSignal): Promise<MoRef> {
  const name = templateName(request.plan.lab, request.base);
  const key = `${vmware.url ?? ''}#${name}`;
  const known = templates.get(key) ?? (async () => {
    const found = await findByName(place.client, 'VirtualMachine', name);
    if (found) return found.ref;
    const ref = await importBase(place, { name, request, vmware, signal });
    await place.client.call('MarkAsTemplate', { _this: moRef(ref) });
    return ref;
  })();
  templates.set(key, known);
  return known.catch((error: unknown) => {
    templates.delete(key);
    throw error;
  });
}

async function attachSeed(place: EsxiPlace, request: CreateRequest, vmName: string): Promise<{ cdromIso?: string; extraConfig?: Record<string, string> }> {
  const { seed, plan } = request;
  const guestinfo = seedGuestinfo(seed);
  if (guestinfo) return { extraConfig: guestinfo };
  if (seed.kind === 'drive' && seed.filesystem === 'iso9660') {
    await place.client.upload(datastoreFileUrl(place, `${vmName}/seed.iso`), seed.path, { method: 'PUT', contentType: 'application/octet-stream' });
    return { cdromIso: datastorePath(place.datastore.name, `${vmName}/seed.iso`) };
  }
  throw new AtomlabError(`vmware (esxi): the ${seed.transport} seed cannot reach the guest`, { code: 'BAD_INPUT', hint: 'use seed: guestinfo, ignition, nocloud or configdrive (ISO)', context: { vm: plan.name, provider: 'vmware' } });
}

/** Creates the VM (powered off) with its seed and its console on the datastore. */
export async function createEsxiVm(place: EsxiPlace, request: CreateRequest, vmware: VmwareOptions, signal?: AbortSignal): Promise<EsxiVmData> {
  const vmName = `${request.plan.lab}-${request.plan.name}`;
  const existing = (await listObjects(place.client, 'VirtualMachine', ['name'])).find((vm) => text(vm.props.get('name')) === vmName);
  if (existing) {
    throw new AtomlabError(`vmware: a VM named ${vmName} already exists on ${vmware.url ?? ''}`, { code: 'BAD_INPUT', hint: 'atomlab down removes the lab\'s VMs; or rename the lab', context: { vm: request.plan.name, provider: 'vmware' } });
  }
  const vm = place.apiType === 'VirtualCenter'
    ? await cloneVm(place.client, { from: await template(place, request, vmware, signal), name: vmName, folder: place.datacenter.vmFolder, pool: place.pool, datastore: place.datastore.ref, extraConfig: {}, signal })
    : await importBase(place, { name: vmName, request, vmware, signal });
  const seed = await attachSeed(place, request, vmName);
  await reconfigure(place.client, vm, {
    annotation: labAnnotation(request.plan.lab),
    numCpus: request.plan.cpus,
    memoryMiB: request.plan.memoryMiB,
    serialFile: datastorePath(place.datastore.name, `${vmName}/console.log`),
    ...seed,
  }, signal);
  return { target: 'esxi', url: vmware.url ?? '', vm, vmName, datastore: place.datastore.name };
}
