import type { LabResource, VmRef } from '../provider/index.js';
import type { ServerProcess } from '../serve/index.js';

/** What `up` verified about a VM's login. */
export interface LoginCheck {
  verified: boolean;
  methods: ('key' | 'password')[];
  /** Fingerprint of the pinned host key the guest presented. */
  hostKey: string;
  hostname?: string;
  cloudInit?: string;
  /** For guests configured by Ignition: its result, in cloud-init's place. */
  ignition?: string;
}

/** One VM as the lab remembers it. */
export interface VmRecord {
  name: string;
  provider: string;
  /** The scenario's options for the provider (a libvirt URI…), needed to remove the VM later. */
  providerOptions: Record<string, unknown>;
  /** Set once the provider created it: what `down` needs to remove it. */
  ref?: VmRef;
  /** Hash of the plan it was made from, to notice scenario changes. */
  planHash: string;
  instanceId: string;
  dir: string;
  createdAt: string;
  /** The guest's pinned host public key line. */
  hostKey: string;
  /** Where SSH answered at the last start. */
  ssh?: { host: string; port: number; user: string };
  ports?: { guest: number; protocol: 'tcp' | 'udp'; host: number }[];
  login?: LoginCheck;
  /** Milliseconds per phase of the last `up`. */
  timings?: Record<string, number>;
  /** The last failure, in one line. */
  error?: string;
}

/** A lab-wide resource a provider made (or is about to make), with the options to reach it again. */
export interface RecordedResource extends LabResource {
  providerOptions: Record<string, unknown>;
}

export interface LabState {
  version: 1;
  lab: string;
  scenario: string;
  vms: Record<string, VmRecord>;
  /** The lab's file servers by serve name (`serve:` in the scenario), for reuse and for `down`. */
  serve?: Record<string, ServerProcess>;
  /** Lab-wide resources providers made (networks, key pairs, security groups), recorded before they are made, for `down`. */
  resources?: RecordedResource[];
}

export function emptyState(lab: string, scenario: string): LabState {
  return { version: 1, lab, scenario, vms: {} };
}
