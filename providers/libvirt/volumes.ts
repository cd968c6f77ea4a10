import { stat } from 'node:fs/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { LibvirtError, VIR_ERR, type Connection, type StoragePool } from './libvirt-client.js';
import { el, renderXml } from './xml.js';

/** Volume XML: a plain (raw placeholder) volume, or a qcow2 overlay on a backing file. */
export function volumeXml(options: { name: string; capacity: number; format: 'raw' | 'qcow2'; backing?: { path: string; format: string } }): string {
  const volume = el(
    'volume',
    {},
    el('name', {}, options.name),
    el('capacity', { unit: 'bytes' }, String(options.capacity)),
    el('target', {}, el('format', { type: options.format })),
    options.backing && el('backingStore', {}, el('path', {}, options.backing.path), el('format', { type: options.backing.format })),
  );
  return renderXml(volume);
}

export function dirPoolXml(name: string, path: string): string {
  return renderXml(el('pool', { type: 'dir' }, el('name', {}, name), el('target', {}, el('path', {}, path))));
}

/** The pool, started; created as a directory pool when it is atomlab's own and missing. */
export async function ensurePool(conn: Connection, options: { name: string; path: string; create: boolean }): Promise<StoragePool> {
  let pool: StoragePool;
  try {
    pool = await conn.lookupPool(options.name);
  } catch (error) {
    if (!(error instanceof LibvirtError && error.isNotFound && options.create)) throw poolHint(error, options.name);
    pool = await conn.definePool(dirPoolXml(options.name, options.path));
    await pool.build();
  }
  if (!(await pool.isActive())) await pool.start();
  return pool;
}

function poolHint(error: unknown, name: string): unknown {
  if (!(error instanceof LibvirtError && error.isNotFound)) return error;
  return new AtomlabError(`libvirt storage pool "${name}" does not exist`, {
    code: 'BAD_INPUT',
    hint: `create it (virsh pool-define-as ${name} dir --target DIR; virsh pool-build ${name}; virsh pool-start ${name}) or leave "pool" unset`,
    context: { provider: 'libvirt', pool: name },
    cause: error,
  });
}

/** Uploads a local file as a new volume; a failed upload leaves no volume behind. */
export async function uploadVolume(pool: StoragePool, name: string, localPath: string): Promise<string> {
  const { size } = await stat(localPath);
  const volume = await pool.createVolume(volumeXml({ name, capacity: size, format: 'raw' }));
  try {
    await volume.upload(localPath);
    return await volume.path();
  } catch (error) {
    await volume.delete().catch(() => undefined);
    throw error;
  } finally {
    volume.free();
  }
}

const uploads = new Map<string, Promise<string>>();

/** The base image's volume, uploaded once per pool and found again by its content digest. */
export async function ensureBaseVolume(pool: StoragePool, base: { path: string; digest: string; format: string }): Promise<{ name: string; path: string }> {
  const localPath = base.path;
  const name = `atomlab-base-${base.digest.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}.${base.format}`;
  const key = `${pool.conn.uri} ${pool.name()} ${name}`;
  let pending = uploads.get(key);
  if (!pending) {
    // Shares one upload between concurrent creates; later ones look the volume up again
    // (destroy removes the base when its last overlay goes).
    pending = existingPath(pool, name).then((path) => path ?? uploadVolume(pool, name, localPath));
    uploads.set(key, pending);
    pending.finally(() => uploads.delete(key)).catch(() => undefined);
  }
  return { name, path: await pending };
}

async function existingPath(pool: StoragePool, name: string): Promise<string | undefined> {
  try {
    const volume = await pool.lookupVolume(name);
    try {
      return await volume.path();
    } finally {
      volume.free();
    }
  } catch (error) {
    if (error instanceof LibvirtError && error.isNotFound) return undefined;
    throw error;
  }
}

/** Deletes named volumes; missing ones are fine. */
export async function deleteVolumes(pool: StoragePool, names: string[]): Promise<void> {
  for (const name of names) {
    try {
      const volume = await pool.lookupVolume(name);
      await volume.delete().finally(() => volume.free());
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
}

function isGone(error: unknown): boolean {
  return error instanceof LibvirtError && (error.isNotFound || error.libvirtCode === VIR_ERR.NO_STORAGE_VOL);
}

const removals = new Map<string, Promise<unknown>>();

/**
 * Runs volume removals for one pool one at a time in this process: VMs removed together would
 * otherwise each see the others' overlays and all keep the base they share.
 */
export function onePoolAtATime<T>(poolName: string, work: () => Promise<T>): Promise<T> {
  const next = (removals.get(poolName) ?? Promise.resolve()).then(work);
  const settled = next.catch(() => undefined);
  removals.set(poolName, settled);
  void settled.then(() => removals.get(poolName) === settled && removals.delete(poolName));
  return next;
}

/** Deletes the base volume when no other volume in the pool is backed by it. */
export async function deleteUnusedBase(pool: StoragePool, base: { name: string; path: string }): Promise<void> {
  const volumes = await pool.listVolumes();
  try {
    // a volume another client deletes meanwhile is no longer backed by anything
    const xml = (volume: (typeof volumes)[number]) => volume.xml().catch((error: unknown) => (isGone(error) ? '' : Promise.reject(error)));
    const xmls = await Promise.all(volumes.filter((v) => v.name() !== base.name).map(xml));
    if (xmls.some((xml) => xml.includes(`<path>${base.path}</path>`))) return;
  } finally {
    for (const volume of volumes) volume.free();
  }
  await deleteVolumes(pool, [base.name]);
}
