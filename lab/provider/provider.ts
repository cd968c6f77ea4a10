import type { Duplex } from 'node:stream';
import type { ImageFormat, VmPlan } from '../plan/index.js';
import type { SeedMedium } from '../seed/index.js';

/**
 * The boundary between the engine and a hypervisor or cloud. Everything crossing it is plain
 * data: no QMP, libvirt, VBoxManage or SDK types. A provider never imports another provider,
 * and nothing under lab/ imports a provider: providers register at the top of the tree
 * (providers/registry.ts) and reach the engine as a ProviderRegistry.
 */

/** What a provider made, as plain data the lab state can persist and hand back later. */
export interface VmRef {
  provider: string;
  lab: string;
  name: string;
  /** Provider-specific identity (a pid and socket paths, a libvirt domain UUID and URI, …). */
  data: Record<string, unknown>;
}

/** What a VM is now; `unknown` when its provider could not be asked (its daemon or API did not answer). */
export type VmState = 'running' | 'paused' | 'stopped' | 'crashed' | 'missing' | 'unknown';

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

/**
 * The disk a provider wants for a plan. `file`: a local base image in one of these formats (the
 * first preferred), converted once by the engine only when the image is in none of them, and
 * cached beside the image; the provider makes each VM's own disk on it (a qcow2 overlay, a
 * differencing VDI, a linked clone). `store`: the same file, which the provider imports once into
 * its own store (a libvirt volume, an uploaded cloud image), tagged with the digest so a second
 * lab reuses it.
 */
export interface DiskRequest {
  kind: 'file' | 'store';
  formats: readonly ImageFormat[];
  /** qemu-img subformat when converting (vmdk: monolithicSparse, streamOptimized). */
  subformat?: string;
}

/** A cached base image in the format the provider asked for. */
export interface BaseDisk {
  path: string;
  format: ImageFormat;
  subformat?: string;
  /** Identifies the image's content (the cached image's sha256, or a recipe's inputs hash) and
   * the format: what store imports are tagged and found by. */
  digest: string;
  /** Virtual size in bytes. */
  virtualBytes: number;
}

/** A lab-wide resource (key pair, security group, network), recorded before it is made. */
export interface LabResource {
  provider: string;
  /** What it is, for messages (`network`, `key-pair`, `security-group`). */
  kind: string;
  /** How the provider finds it again (a name, an id). */
  id: string;
  data: Record<string, unknown>;
}

/** What a provider's lab hooks learn about the lab. */
export interface LabInfo {
  name: string;
  /** The lab's state directory. */
  stateDir: string;
  /** The lab key's public half (a cloud key pair is made from it). */
  publicKey: string;
  /** This provider's VMs in the lab. */
  vms: VmPlan[];
}

/** Everything `create` needs for one VM: its plan, its disk's base, its written seed. */
export interface CreateRequest {
  plan: VmPlan;
  /** The VM's own state directory (inside the lab's .atomlab/); the provider may add files. */
  dir: string;
  /** Where the serial console is logged. */
  consoleLog: string;
  base: BaseDisk;
  seed: SeedMedium;
  /** The lab resources this provider's prepareLab recorded (empty without hooks). */
  labResources: LabResource[];
}

/**
 * What `create` gets instead when the plan's image is already in a cloud (`plan.image.cloud`):
 * the engine pulled and converted nothing, so there is no base disk. Only a provider registered
 * with that kind in `cloudImages` gets one (validate refuses the rest), and it declares
 * `create(request: CreateRequest | CloudCreateRequest)`.
 */
export type CloudCreateRequest = Omit<CreateRequest, 'base'> & { base?: undefined };

export interface Provider {
  readonly name: string;
  probe(): Promise<Probe>;
  /** The disk this plan's VM is made from. */
  diskWanted(plan: VmPlan): DiskRequest;
  /** Disks, seed and hardware; not started. Providers that boot no cloud image take a CreateRequest only. */
  create(request: CreateRequest | CloudCreateRequest, signal?: AbortSignal): Promise<VmRef>;
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

/**
 * An optional ability: lab-wide resources. `prepareLab` runs before the lab's first VM of this
 * provider is created and calls `record` with each resource before making it, so `down` finds it
 * after a crash; `teardownLab` runs after the last VM is destroyed, is idempotent, and removes
 * what was recorded (a resource already gone is not an error).
 */
export interface LabHooks {
  prepareLab(lab: LabInfo, record: (resource: LabResource) => Promise<void>, signal?: AbortSignal): Promise<void>;
  teardownLab(lab: Pick<LabInfo, 'name' | 'stateDir'>, resources: LabResource[]): Promise<void>;
}

export function hasLabHooks(provider: Provider): provider is Provider & LabHooks {
  return typeof (provider as Partial<LabHooks>).prepareLab === 'function';
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

/** Something in a cloud that carries the lab's tag, or atomlab's image tag. */
export interface TaggedResource {
  /** `instance`, `key-pair`, `security-group`, `image`, `snapshot`, `bucket-object`, … */
  kind: string;
  /**
   * How the provider finds it again, spelled as the provider spells it in what the state keeps:
   * a recorded LabResource's `id`, or a value in a VmRef's `data` (an instance id). The engine
   * tells what the state does not know by comparing these.
   */
  id: string;
  /** The cloud's own word for its state (`running`, `ACTIVE`), when it has one. */
  state?: string;
  /** The `id` of what it belongs to (a VM snapshot's instance id): known to the state while that is. */
  owner?: string;
}

/**
 * An optional ability of billable providers: finding what they made by tag, not by the state
 * file. `status` lists the `labResources` the state does not know (left by a crash, a SIGKILLed
 * `up`, or another checkout of the same path); `down`, after destroying the recorded VMs and
 * tearing down the recorded lab resources, calls `removeLabResources`, which removes everything
 * still carrying the lab's tag (instances first, waited for), is idempotent and returns what it
 * removed; `down --images` calls `removeImages`, which removes every image atomlab uploaded
 * (shared between labs by digest; never an image the scenario named with `image: {ami: …}`)
 * and returns what it removed. Each is asked with the provider options the lab used.
 */
export interface Inventory {
  labResources(lab: Pick<LabInfo, 'name' | 'stateDir'>): Promise<TaggedResource[]>;
  removeLabResources(lab: Pick<LabInfo, 'name' | 'stateDir'>): Promise<TaggedResource[]>;
  removeImages(): Promise<TaggedResource[]>;
}

export function hasInventory(provider: Provider): provider is Provider & Inventory {
  const candidate = provider as Partial<Inventory>;
  return typeof candidate.labResources === 'function' && typeof candidate.removeLabResources === 'function' && typeof candidate.removeImages === 'function';
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
