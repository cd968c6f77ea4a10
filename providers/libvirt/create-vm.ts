import { freePort } from '../../lab/net/index.js';
import { stat } from 'node:fs/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { chooseSoundModel, qemuDevices } from '../../lab/hardware/index.js';
import type { VmPlan } from '../../lab/scenario/index.js';
import type { VmRef, Workspace } from '../../lab/provider/index.js';
import { type Connection, type StoragePool, LibvirtError } from './libvirt-client.js';
import { domainXml, type DomainSpec } from './domain-xml.js';
import type { LibvirtOptions } from './options.js';
import { deleteVolumes, ensureBaseVolume, ensurePool, uploadVolume, virtualSize, volumeXml } from './volumes.js';
import { domainName, forwardAddresses, forwards, domainSpec, type Forward } from './vm-spec.js';

/** What a libvirt VmRef carries: plain data, enough to find and remove everything later. */
export interface LibvirtVmData {
  [key: string]: unknown;
  uri: string;
  uuid: string;
  domain: string;
  pool: string;
  /** Volumes this VM owns (overlay, seed). */
  volumes: string[];
  base: { name: string; path: string };
  /** Where forwarded ports are reached from this machine (user networking). */
  reach: string;
  forwards: Forward[];
  network: string | undefined;
  consoleLog: string;
  /** Where the current boot's output begins in the local console log. */
  consoleOffset?: number;
  spec: DomainSpec;
  warnings: string[];
}

async function soundFor(plan: VmPlan, options: LibvirtOptions) {
  const devices = options.qemuDevices ? new Set(options.qemuDevices) : await qemuDevices();
  return chooseSoundModel(plan.hardware.sound, devices);
}

function checkFormat(workspace: Workspace): 'qcow2' | 'raw' {
  const format = workspace.baseImage.format;
  if (format === 'qcow2' || format === 'raw') return format;
  throw new AtomlabError(`the libvirt provider needs a qcow2 or raw base image, not ${format}`, {
    code: 'BAD_INPUT',
    hint: 'convert the image first (qemu-img convert -O qcow2)',
    context: { provider: 'libvirt', file: workspace.baseImage.path },
  });
}

async function refuseExisting(conn: Connection, name: string): Promise<void> {
  try {
    const domain = await conn.lookupDomain(name);
    domain.free();
  } catch (error) {
    if (error instanceof LibvirtError && error.isNotFound) return;
    throw error;
  }
  throw new AtomlabError(`a libvirt domain named ${name} already exists`, {
    code: 'FAILED',
    hint: 'remove the old lab first (atomlab down), or rename the VM',
    context: { provider: 'libvirt', vm: name },
  });
}

async function makeDisks(pool: StoragePool, plan: VmPlan, workspace: Workspace, made: string[]) {
  const format = checkFormat(workspace);
  const base = await ensureBaseVolume(pool, workspace.baseImage.path);
  const name = domainName(plan);
  const capacity = Math.max(await virtualSize(workspace.baseImage.path), plan.diskBytes ?? 0);
  const overlayXml = volumeXml({ name: `${name}.qcow2`, capacity, format: 'qcow2', backing: { path: base.path, format } });
  const overlay = await pool.createVolume(overlayXml);
  made.push(`${name}.qcow2`);
  const diskPath = await overlay.path().finally(() => overlay.free());
  await stat(workspace.seedIso);
  const seedPath = await uploadVolume(pool, `${name}-seed.iso`, workspace.seedIso);
  made.push(`${name}-seed.iso`);
  return { base, diskPath, seedPath };
}

/** Disks (uploaded through the API), seed and domain definition; not started. */
export async function createVm(conn: Connection, plan: VmPlan, workspace: Workspace, options: LibvirtOptions): Promise<VmRef> {
  await refuseExisting(conn, domainName(plan));
  const pool = await ensurePool(conn, { name: options.pool, path: options.poolPath, create: options.createPool });
  const made: string[] = [];
  try {
    const sound = await soundFor(plan, options);
    const disks = await makeDisks(pool, plan, workspace, made);
    const ports = options.network ? [] : await forwards(plan, await freePort(), freePort);
    const spec = domainSpec({ plan, workspace, options, sound: sound.model, disk: { path: disks.diskPath, format: 'qcow2' }, seedPath: disks.seedPath, forwards: ports });
    const domain = await conn.defineDomain(domainXml(spec));
    const data: LibvirtVmData = {
      uri: options.uri,
      uuid: domain.uuid(),
      domain: spec.name,
      pool: options.pool,
      volumes: made,
      base: disks.base,
      reach: forwardAddresses(options.uri, options.listen).reach,
      forwards: ports,
      network: options.network,
      consoleLog: workspace.consoleLog,
      spec,
      warnings: sound.warning ? [sound.warning] : [],
    };
    domain.free();
    return { provider: 'libvirt', lab: plan.lab, name: plan.name, data };
  } catch (error) {
    await deleteVolumes(pool, made).catch(() => undefined);
    throw error;
  } finally {
    pool.free();
  }
}
