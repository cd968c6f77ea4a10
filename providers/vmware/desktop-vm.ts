import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomlabError } from '../../lab/errors/index.js';
import type { CreateRequest } from '../../lab/provider/index.js';
import type { VmwareOptions } from './options.js';
import { seedGuestinfo } from './seed-guestinfo.js';
import { vmrun, type VmrunOptions } from './vmrun-client.js';
import { mergeVmx, renderVmx } from './vmx.js';
import { isLabDeviceKey, labDeviceEntries, vmxEntries, type VmxSpec } from './vmx-spec.js';

/**
 * Making a Workstation/Player VM: a folder with a .vmx and its disk. Workstation: a linked clone
 * (`vmrun clone … linked -snapshot=`) of a parent VM made once per base image in the lab's
 * state; Player cannot clone, so it gets its own copy of the base disk. Then the lab's devices
 * (seed CD-ROM or guestinfo keys, cloud-init's or Ignition's, NAT NIC, serial console file, sound) are written into the .vmx.
 */

export const PARENT_SNAPSHOT = 'atomlab-base';

export interface DesktopVmData extends Record<string, unknown> {
  target: 'workstation' | 'player';
  vmx: string;
  /** The folder destroy deletes. */
  folder: string;
  consoleLog: string;
}

function specOf(request: CreateRequest, options: VmwareOptions, disk: string): VmxSpec {
  const { plan, seed } = request;
  if (seed.kind === 'drive' && seed.attachAs === 'disk') {
    throw new AtomlabError(`vmware: a ${seed.filesystem} seed disk cannot be attached; use an ISO seed (seed: nocloud or configdrive)`, { code: 'BAD_INPUT', context: { vm: plan.name, provider: 'vmware' } });
  }
  const guestinfo = seedGuestinfo(seed);
  if (seed.kind !== 'drive' && !guestinfo) {
    throw new AtomlabError(`vmware: the ${seed.transport} seed cannot reach a Workstation/Player guest`, { code: 'BAD_INPUT', hint: 'use seed: nocloud, configdrive, guestinfo or ignition', context: { vm: plan.name, provider: 'vmware' } });
  }
  return {
    name: plan.name,
    guestOs: options.guestOs,
    hardwareVersion: options.hardwareVersion,
    cpus: plan.cpus,
    memoryMiB: Math.ceil(plan.memoryMiB / 4) * 4,
    firmware: plan.hardware.firmware,
    disk,
    nic: options.nic,
    seedIso: seed.kind === 'drive' ? seed.path : undefined,
    guestinfo,
    serialFile: request.consoleLog,
    sound: plan.hardware.sound,
  };
}

/** The parent VM of a base image (Workstation): made once, snapshotted, then only cloned. */
async function ensureParent(request: CreateRequest, options: VmwareOptions, run: VmrunOptions, parentsDir: string): Promise<string> {
  const dir = join(parentsDir, request.base.digest.replace(/^[a-z0-9]+-/, '').slice(0, 16));
  const vmx = join(dir, 'parent.vmx');
  const existing = await readFile(vmx, 'utf8').catch(() => undefined);
  if (existing !== undefined && (await readFile(join(dir, 'ready'), 'utf8').catch(() => '')) === 'ready') return vmx;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await copyFile(request.base.path, join(dir, 'parent.vmdk'), constants.COPYFILE_FICLONE);
  const spec = { ...specOf(request, options, 'parent.vmdk'), name: `parent-${request.base.digest.replace(/^[a-z0-9]+-/, '').slice(0, 12)}`, seedIso: undefined, guestinfo: undefined, serialFile: join(dir, 'serial.log'), sound: 'none' as const };
  await writeFile(vmx, renderVmx(vmxEntries(spec)));
  await vmrun(run, ['snapshot', vmx, PARENT_SNAPSHOT]);
  await writeFile(join(dir, 'ready'), 'ready');
  return vmx;
}

function hardwareChanges(spec: VmxSpec): [string, string][] {
  return [['displayName', spec.name], ['guestOS', spec.guestOs], ['numvcpus', String(spec.cpus)], ['memsize', String(spec.memoryMiB)], ['nvram', `${spec.name}.nvram`]];
}

/** Creates the VM folder and .vmx; nothing is started. */
export async function createDesktopVm(request: CreateRequest, options: VmwareOptions & { target: 'workstation' | 'player' }, run: VmrunOptions, parentsDir: string | undefined): Promise<DesktopVmData> {
  const folder = join(request.dir, 'vmware');
  const vmx = join(folder, `${request.plan.name}.vmx`);
  await rm(folder, { recursive: true, force: true });
  if (options.target === 'workstation' && parentsDir) {
    const parent = await ensureParent(request, options, run, parentsDir);
    await vmrun(run, ['clone', parent, vmx, 'linked', `-snapshot=${PARENT_SNAPSHOT}`, `-cloneName=${request.plan.name}`]);
    const spec = specOf(request, options, '');
    const cloned = await readFile(vmx, 'utf8');
    await writeFile(vmx, mergeVmx(cloned, [...hardwareChanges(spec), ...labDeviceEntries(spec)], isLabDeviceKey));
  } else {
    await mkdir(folder, { recursive: true });
    const disk = `${request.plan.name}.vmdk`;
    await copyFile(request.base.path, join(folder, disk), constants.COPYFILE_FICLONE);
    await writeFile(vmx, renderVmx(vmxEntries(specOf(request, options, disk))));
  }
  return { target: options.target, vmx, folder, consoleLog: request.consoleLog };
}
