import type { SeedTransport } from '../seed/index.js';

/**
 * A resolved lab: what every command works from once the scenario is read. A leaf module (it
 * imports only the seed's type names), so scenario, state, engine and providers all depend on it
 * and on nothing of each other's.
 */

export const SOUND_MODELS = ['auto', 'none', 'ich6', 'ich9', 'ac97', 'es1370'] as const;
export const IMAGE_FORMATS = ['raw', 'qcow2', 'vmdk', 'vdi'] as const;
export const COMPRESSIONS = ['auto', 'xz', 'gz', 'bz2', 'zst', 'none'] as const;
/** Images already in a cloud a scenario may name: an EC2 AMI, an OpenStack Glance image, a GCE image. */
export const CLOUD_IMAGE_KINDS = ['ami', 'glance', 'gce'] as const;

/** A registered provider's name (providers/registry.ts). */
export type ProviderName = string;
export type SoundModel = (typeof SOUND_MODELS)[number];
export type ImageFormat = (typeof IMAGE_FORMATS)[number];
export type Compression = (typeof COMPRESSIONS)[number];
export type CloudImageKind = (typeof CLOUD_IMAGE_KINDS)[number];

/** Where an image comes from and how to trust it: every field resolved. */
export interface ImagePlan {
  /** Catalog id, or `inline-<hash>` for an image given in the scenario. */
  id: string;
  title: string;
  url?: string;
  /** Absolute path of a local image. */
  path?: string;
  /** Built locally from Debian packages. */
  recipe?: string;
  /** The file is a Vagrant box (of this provider, when known): its disk is the image. */
  box?: { provider?: 'libvirt' | 'virtualbox' };
  digest?: { algorithm: 'sha256' | 'sha512'; hex: string };
  checksumUrl?: string;
  signatureUrl?: string;
  /** Absolute path of the OpenPGP key that signs the checksum file. */
  keyFile?: string;
  format?: ImageFormat;
  compression: Compression;
  verify: boolean;
  /** The image's default login user. */
  user: string;
  /** What configures the image at first boot: cloud-init reads a seed, Ignition its config. */
  config: 'cloud-init' | 'ignition';
  /** With config: ignition, the spec version written (the catalog's `ignition:`). */
  ignitionVersion?: string;
  /**
   * An image already in a cloud (`image: {ami: …}`, `{glance: …}`, `{gce: …}`): nothing is pulled,
   * converted or uploaded, and `create` gets no base disk; only a provider registered with this
   * kind in its `cloudImages` boots it (validate refuses the others). `id` is as written: `ami-…`;
   * a Glance image's UUID; a GCE image name, `family/NAME`, or `projects/P/global/images/[family/]NAME`.
   */
  cloud?: { kind: CloudImageKind; id: string };
  /** A CoreOS stream: url, digest, format and compression come from its current build at pull time. */
  stream?: { url: string; architecture: string };
}

export interface ProviderPlan {
  name: ProviderName;
  /** Provider-specific options (uri, pool, accel, …), checked against the provider's own schema. */
  options: Record<string, unknown>;
}

export interface HardwarePlan {
  sound: SoundModel;
  firmware: 'bios' | 'uefi';
  machine: 'pc' | 'q35';
  nics: number;
  serial: boolean;
  graphics: 'none' | 'vnc' | 'spice';
}

export interface LoginPlan {
  user: string;
  /** Absent: key login only. */
  password?: { kind: 'literal'; value: string } | { kind: 'generate' };
  /** Extra authorized public keys (the lab's own key is added at seed time). */
  sshKeys: string[];
}

export interface PortPlan {
  guest: number;
  protocol: 'tcp' | 'udp';
  host: number | 'auto';
}

/** One VM with every field decided: nothing downstream re-defaults. */
export interface VmPlan {
  lab: string;
  name: string;
  hostname: string;
  image: ImagePlan;
  provider: ProviderPlan;
  cpus: number;
  memoryMiB: number;
  /** Grow the disk to this size; absent keeps the image's size. */
  diskBytes?: number;
  hardware: HardwarePlan;
  login: LoginPlan;
  cloudConfig: Record<string, unknown>;
  /** The scenario's `ignition:` fragment, keys in Ignition's spelling and modes as numbers (`inline` kept). */
  ignition: Record<string, unknown>;
  metaData: Record<string, unknown>;
  /** How the seed reaches the guest: `seed: auto` already resolved to the provider's preference. */
  seed: SeedTransport;
  ports: PortPlan[];
  /** From start to verified login. */
  bootTimeoutMs: number;
  /** Placed across the scenario's hosts: the URI is chosen at `up` (atomlab records it). */
  placed?: boolean;
}

/** A libvirt host the lab may place VMs on, with what it may give (absent: measured). */
export interface HostPlan {
  uri: string;
  cpus?: number;
  memoryMiB?: number;
}

export type Placement = 'fill' | 'spread';

/** A local directory the lab serves over HTTP (see lab/serve). */
export interface ServePlan {
  name: string;
  /** Absolute path of the directory (a published repository's: in the lab's state directory). */
  path: string;
  /** An update repository atomlab publishes into `path`/repo before serving it. */
  publish?: { recipe: string; version: string; script: string };
  /** Responses to request paths matching `match` (a regular expression) wait `ms` first. */
  delay?: { match: string; ms: number };
}

export interface LabPlan {
  /** The lab's name; a matrix combination's is `<scenario name>-<combination key>`. */
  name: string;
  description?: string;
  /** Absolute path of the scenario file. */
  file: string;
  /** Where the lab keeps its state: `.atomlab/` beside the scenario. */
  stateDir: string;
  vms: VmPlan[];
  /** Hosts the libvirt VMs without a uri of their own are placed on (empty: none). */
  hosts: HostPlan[];
  placement: Placement;
  /** Directories served for the lab's lifetime (`{{serve.NAME}}`). */
  serve: ServePlan[];
  /** Set for one combination of a `matrix:`: the value chosen per key, as labels (`provider: qemu`). */
  combination?: Record<string, string>;
  /** The combination's short name (`qemu-tiny`): in the lab name and its state directory. */
  combinationKey?: string;
  /** The scenario's steps, in order (empty when it has none). */
  steps: StepPlan[];
}

/** An output check with every form normalized: lists of texts, regex sources. */
export interface TextMatchPlan {
  equals?: string;
  contains: string[];
  notContains: string[];
  regex?: string;
}

export interface ExpectPlan {
  exit: number | 'any' | 'nonzero';
  stdout?: TextMatchPlan;
  stderr?: TextMatchPlan;
  /** JSON path (`deployments[0].version`) → the value it must equal. */
  json?: Record<string, unknown>;
}

/** What one step does; plain strings throughout (commands, patterns), for templating. */
export type StepAction =
  | { kind: 'run'; command: string; expect: ExpectPlan }
  | { kind: 'reboot' }
  | { kind: 'upgrade'; version?: string; interrupt?: { when: string } }
  | { kind: 'rollback' }
  | { kind: 'reset' }
  | { kind: 'snapshot'; snapshot: string }
  | { kind: 'revert'; snapshot: string }
  | { kind: 'copy'; from: string; to: string; mode?: number }
  | { kind: 'wait-port'; port: number; http?: { path: string; status?: number; tls: boolean } }
  | { kind: 'console-expect'; pattern: string };

export type StepKind = StepAction['kind'];

/** One step with its VMs resolved (in scenario order) and its timeout set. */
export interface StepPlan {
  /** 1-based position in the scenario's steps. */
  index: number;
  name: string;
  vms: string[];
  /** Per VM. */
  timeoutMs: number;
  action: StepAction;
}
