import { freePort } from '../../lab/net/index.js';
import { stat } from 'node:fs/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { chooseSoundModel, qemuDevices } from '../../lab/hardware/index.js';
import type { VmPlan } from '../../lab/plan/index.js';
import type { BaseDisk, CreateRequest, VmRef } from '../../lab/provider/index.js';
import { type Connection, type StoragePool, LibvirtError } from './libvirt-client.js';
import { domainXml, type DomainSpec } from './domain-xml.js';
import type { LibvirtOptions } from './options.js';
import { withLabNetwork } from './lab-network.js';
import { deleteVolumes, ensureBaseVolume, ensurePool, uploadVolume, volumeXml } from './volumes.js';
import { domainName, forwardAddresses, forwards, domainSpec, type Forward, type SeedFile } from './vm-spec.js';

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

function checkFormat(base: BaseDisk): 'qcow2' | 'raw' {
  const format = base.format;
  if (format === 'qcow2' || format === 'raw') return format;
  throw new AtomlabError(`the libvirt provider needs a qcow2 or raw base image, not ${format}`, {
    code: 'BAD_INPUT',
    hint: 'convert the image first (qemu-img convert -O qcow2)',
    context: { provider: 'libvirt', file: base.path },
  });
}

/** The seed file: an ISO as a CD-ROM, a vfat image as a disk, or an Ignition config by fw_cfg; libvirt has no way to carry keys or plain user-data. */
function seedDrive(request: CreateRequest): SeedFile {
  const { seed } = request;
  if (seed.kind === 'drive') return { path: seed.path, attachAs: seed.attachAs };
  if (seed.kind === 'ignition') return { path: seed.path, attachAs: 'fwcfg', name: seed.fwcfgName };
  throw new AtomlabError(`the libvirt provider cannot carry a ${seed.transport} seed`, { code: 'BAD_INPUT', hint: 'use seed: nocloud, nocloud-vfat, configdrive or configdrive-vfat', context: { provider: 'libvirt', vm: request.plan.name } });
}

async function refuseExisting(conn: Connection, plan: VmPlan): Promise<void> {
  const name = domainName(plan);
  try {
    const domain = await conn.lookupDomain(name);
    domain.free();
  } catch (error) {
    if (error instanceof LibvirtError && error.isNotFound) return;
    throw error;
  }
  throw new AtomlabError(`a libvirt domain named ${name} already exists`, {
    code: 'FAILED',
    hint: `another lab named ${plan.lab} on this libvirt host made it (this scenario, or a copy in another directory): run atomlab down there, or give this lab another name (name: in the scenario)`,
    context: { provider: 'libvirt', vm: plan.name, domain: name },
  });
}

async function makeDisks(pool: StoragePool, request: CreateRequest, made: string[]) {
  const { plan } = request;
  const format = checkFormat(request.base);
  const base = await ensureBaseVolume(pool, request.base);
  const name = domainName(plan);
  const capacity = Math.max(request.base.virtualBytes, plan.diskBytes ?? 0);
  const overlayXml = volumeXml({ name: `${name}.qcow2`, capacity, format: 'qcow2', backing: { path: base.path, format } });
  const overlay = await pool.createVolume(overlayXml);
  made.push(`${name}.qcow2`);
  const diskPath = await overlay.path().finally(() => overlay.free());
  const seed = seedDrive(request);
  await stat(seed.path);
  const seedVolume = `${name}-seed.${{ cdrom: 'iso', disk: 'img', fwcfg: 'ign' }[seed.attachAs]}`;
  const seedPath = await uploadVolume(pool, seedVolume, seed.path);
  made.push(seedVolume);
  return { base, diskPath, seed: { ...seed, path: seedPath } };
}

/** Disks (uploaded through the API), seed and domain definition; not started. */
export async function createVm(conn: Connection, request: CreateRequest, options: LibvirtOptions): Promise<VmRef> {
  const { plan } = request;
  await refuseExisting(conn, plan);
  const pool = await ensurePool(conn, { name: options.pool, path: options.poolPath, create: options.createPool });
  const made: string[] = [];
  try {
    const sound = await soundFor(plan, options);
    const disks = await makeDisks(pool, request, made);
    const ports = options.network || options.labNetwork ? [] : await forwards(plan, await freePort(), freePort);
    const spec = domainSpec({ plan, request, options: withLabNetwork(options, request.labResources), sound: sound.model, disk: { path: disks.diskPath, format: 'qcow2' }, seed: disks.seed, forwards: ports });
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
      network: spec.networking.kind === 'network' ? spec.networking.network : undefined,
      consoleLog: request.consoleLog,
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
