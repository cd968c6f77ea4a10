import type { Duplex } from 'node:stream';
import type { VmPlan } from '../scenario/index.js';

/**
 * The boundary between the engine and a hypervisor. Everything crossing it is plain data:
 * no QMP, libvirt or SDK types. A provider never imports another provider.
 */

/** What a provider made, as plain data the lab state can persist and hand back later. */
export interface VmRef {
  provider: string;
  lab: string;
  name: string;
  /** Provider-specific identity (a pid and socket paths, a libvirt domain UUID and URI, …). */
  data: Record<string, unknown>;
}

/** Files the engine prepared for one VM; the provider may add its own under `dir`. */
export interface Workspace {
  /** The VM's own state directory (inside the lab's .atomlab/). */
  dir: string;
  /** Cached base image and its format; the provider makes its disk on top of it. */
  baseImage: { path: string; format: 'raw' | 'qcow2' | 'vmdk' | 'vdi' };
  /** The cidata seed ISO. */
  seedIso: string;
  /** Where the serial console is logged. */
  consoleLog: string;
}

export type VmState = 'running' | 'paused' | 'stopped' | 'crashed' | 'missing';

export interface Probe {
  available: boolean;
  /** Why not, and how to fix it, when unavailable. */
  reason?: string;
  version?: string;
  accelerator?: 'kvm' | 'tcg' | 'hvf' | 'whpx' | 'none';
  /** Sound models this host's hypervisor supports (scenario names: ich6, ich9, ac97, es1370). */
  soundModels?: string[];
  notes: string[];
}

export interface StopOptions {
  /** Skip the polite shutdown. */
  force?: boolean;
  /** How long the polite shutdown may take before escalating. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Endpoint {
  host: string;
  port: number;
}

export interface Provider {
  readonly name: string;
  probe(): Promise<Probe>;
  /** Disks, seed and hardware; not started. */
  create(plan: VmPlan, workspace: Workspace, signal?: AbortSignal): Promise<VmRef>;
  start(vm: VmRef, signal?: AbortSignal): Promise<void>;
  stop(vm: VmRef, options?: StopOptions): Promise<void>;
  /** Removes everything create made; idempotent (a missing VM is not an error). */
  destroy(vm: VmRef): Promise<void>;
  state(vm: VmRef): Promise<VmState>;
  /** Where the guest's SSH answers. */
  endpoint(vm: VmRef): Promise<Endpoint>;
  /** Host ports the guest's forwarded ports answer on (guest port → host endpoint). */
  forwardedPorts?(vm: VmRef): Promise<{ guest: number; protocol: 'tcp' | 'udp'; host: Endpoint }[]>;
  /** Serial console lines as they arrive, until the signal aborts. */
  console(vm: VmRef, signal: AbortSignal): AsyncIterable<string>;
  /** Hard reset, like the reset button: no shutdown, the guest's unsynced writes are lost. */
  reset?(vm: VmRef): Promise<void>;
  /** A two-way stream to the serial console, for typing into it (`atomlab console`). */
  openConsole?(vm: VmRef): Promise<Duplex>;
  /**
   * The address a guest of this plan uses to reach a server listening on this machine's
   * 127.0.0.1 (QEMU user networking: 10.0.2.2). Throws an AtomlabError saying why when the
   * guest cannot reach it (a remote hypervisor, a network without a way back). Absent: cannot.
   */
  hostAddressForGuest?(plan: VmPlan): Promise<string>;
}

/** An optional ability: named snapshots of a VM's disk (and memory where the provider can). */
export interface Snapshots {
  snapshot(vm: VmRef, name: string): Promise<void>;
  revert(vm: VmRef, name: string): Promise<void>;
  listSnapshots(vm: VmRef): Promise<string[]>;
  deleteSnapshot(vm: VmRef, name: string): Promise<void>;
}

export function hasSnapshots(provider: Provider): provider is Provider & Snapshots {
  return typeof (provider as Partial<Snapshots>).snapshot === 'function';
}

/** What a host can give a lab: its CPU threads and memory, in MiB. */
export interface HostResources {
  /** Where the VMs run, for messages (`this machine`, a libvirt URI). */
  host: string;
  cpus: number;
  memoryMiB: number;
  /** Memory free for new VMs now (free + reclaimable caches). */
  availableMiB: number;
}

/** An optional ability: telling what the host the provider runs VMs on has to give. */
export interface Resources {
  hostResources(): Promise<HostResources>;
}

export function hasResources(provider: Provider): provider is Provider & Resources {
  return typeof (provider as Partial<Resources>).hostResources === 'function';
}
