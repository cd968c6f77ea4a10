import { z } from 'zod';

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-f:]+\/\d{1,3}$/i;
/** GCE resource names: RFC 1035 labels, lower case, at most 63 characters. */
const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The gce provider's scenario options (`provider: {name: gce, …}`), composed into the scenario schema. */
export const gceOptions = z.strictObject({
  project: z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, { error: 'must be a Google Cloud project id such as my-lab-123456' }).optional().describe('project id (default: GOOGLE_CLOUD_PROJECT, else the Application Default Credentials\' project)'),
  zone: z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, { error: 'must be a zone such as europe-west1-b' }).optional().describe('zone (default: CLOUDSDK_COMPUTE_ZONE)'),
  machineType: z.string().regex(/^[a-z][a-z0-9]*-[a-z0-9-]+$/, { error: 'must be a machine type such as e2-small' }).optional().describe('machine type (default: the smallest e2/n2/n2d type with the VM\'s cpus and memory)'),
  network: z.string().regex(NAME, { error: 'must be a network name such as default' }).optional().describe('VPC network (default: default)'),
  subnet: z.string().regex(NAME, { error: 'must be a subnetwork name such as lab-subnet' }).optional().describe('subnetwork in the zone\'s region (default: the network\'s automatic one)'),
  address: z.enum(['public', 'private']).optional().describe('the address SSH uses (default public: the instance gets an ephemeral external address)'),
  sshFrom: z.string().regex(CIDR, { error: 'must be a CIDR such as 203.0.113.7/32' }).optional().describe('who may reach SSH and ports (default: this machine\'s public address, /32)'),
  bucket: z.string().regex(/^[a-z0-9][-_a-z0-9]{1,61}[a-z0-9]$/, { error: 'must be a Cloud Storage bucket name such as my-lab-images' }).optional().describe('bucket the image tarball is uploaded through (default: atomlab-<project>, made when missing)'),
  diskType: z.enum(['pd-balanced', 'pd-standard', 'pd-ssd', 'hyperdisk-balanced']).optional().describe('boot disk type (default pd-balanced)'),
  endpoint: z.url({ error: 'must be a URL such as http://127.0.0.1:8080' }).optional().describe('a Compute- and Storage-compatible endpoint instead of Google\'s (a recorder or emulator)'),
});

export type GceScenarioOptions = z.output<typeof gceOptions>;

/** The gce provider's settings, every field decided (project and zone may still come from ADC and the environment). */
export interface GceOptions {
  project: string | undefined;
  zone: string | undefined;
  machineType: string | undefined;
  network: string;
  subnet: string | undefined;
  address: 'public' | 'private';
  sshFrom: string | undefined;
  bucket: string | undefined;
  diskType: string;
  endpoint: string | undefined;
  /** Where this machine's public address is asked when sshFrom is not given. */
  checkIpUrl: string;
}

export function resolveGceOptions(options: GceScenarioOptions): GceOptions {
  return {
    project: options.project,
    zone: options.zone,
    machineType: options.machineType,
    network: options.network ?? 'default',
    subnet: options.subnet,
    address: options.address ?? 'public',
    sshFrom: options.sshFrom,
    bucket: options.bucket,
    diskType: options.diskType ?? 'pd-balanced',
    endpoint: options.endpoint,
    checkIpUrl: 'https://checkip.amazonaws.com',
  };
}
