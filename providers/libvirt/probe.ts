import type { Probe } from '../../lab/provider/index.js';
import { chooseSoundModel, qemuDevices } from '../../lab/hardware/index.js';
import { Connection } from './libvirt-client.js';
import type { LibvirtOptions } from './options.js';

const SOUND_NAMES = ['ich6', 'ich9', 'ac97', 'es1370'] as const;

/** Opens a connection, giving up after `timeoutMs` (a late connection is closed when it arrives). */
export async function openWithTimeout(uri: string, timeoutMs: number): Promise<Connection> {
  const opening = Connection.open(uri);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${uri} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([opening, timeout]);
  } catch (error) {
    opening.then((late) => late.close()).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function soundModels(options: LibvirtOptions): Promise<{ models: string[]; note?: string }> {
  try {
    const devices = options.qemuDevices ? new Set(options.qemuDevices) : await qemuDevices();
    return { models: SOUND_NAMES.filter((model) => chooseSoundModel(model, devices).model === model) };
  } catch {
    return { models: [], note: 'no local qemu-system-x86_64 to ask for sound devices' };
  }
}

/** Whether the libvirt daemon at the URI answers, its versions, and what VMs will get. */
export async function probeLibvirt(options: LibvirtOptions): Promise<Probe> {
  let conn: Connection;
  try {
    conn = await openWithTimeout(options.uri, options.probeTimeoutMs);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { available: false, reason: `${reason} (start the daemon: scripts/libvirtd start, or virtlogd -d && libvirtd -d)`, notes: [] };
  }
  try {
    const [library, hypervisor, type] = await Promise.all([conn.libVersion(), conn.hypervisorVersion(), conn.type()]);
    const sound = await soundModels(options);
    const notes = [`connected to ${options.uri} (${type} ${hypervisor})`];
    if (sound.note) notes.push(sound.note);
    if (!options.kvm) notes.push('guests run under TCG (type=qemu); set kvm: true only where a boot probe proved KVM works');
    return { available: true, version: library, accelerator: options.kvm ? 'kvm' : 'tcg', soundModels: sound.models, notes };
  } finally {
    await conn.close();
  }
}
