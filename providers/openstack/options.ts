import { z } from 'zod';

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-f:]+\/\d{1,3}$/i;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]*$/;

/** The openstack provider's scenario options (`provider: {name: openstack, …}`), composed into the scenario schema. */
export const openstackOptions = z.strictObject({
  cloud: z.string().regex(NAME, { error: 'must name an entry of clouds.yaml, such as mycloud' }).optional().describe('the clouds.yaml entry to use (default: OS_CLOUD, else the OS_* environment)'),
  region: z.string().min(1).optional().describe('region of the service catalog (default: the cloud\'s region_name / OS_REGION_NAME)'),
  flavor: z.string().min(1).optional().describe('flavor name or id (default: the smallest flavor with the VM\'s cpus and memory)'),
  network: z.string().min(1).optional().describe('network name or id the VMs attach to (default: the cloud\'s choice)'),
  address: z.enum(['public', 'private']).optional().describe('the address SSH uses (default public: a floating IP, else a fixed address)'),
  floatingNetwork: z.string().min(1).optional().describe('external network to take a floating IP from for each VM (default: none)'),
  sshFrom: z.string().regex(CIDR, { error: 'must be a CIDR such as 203.0.113.7/32' }).optional().describe('who may reach SSH and ports (default: this machine\'s public address, /32)'),
});

export type OpenstackScenarioOptions = z.output<typeof openstackOptions>;

/** The openstack provider's settings, every field decided (credentials still come from clouds.yaml / OS_*). */
export interface OpenstackOptions {
  cloud: string | undefined;
  region: string | undefined;
  flavor: string | undefined;
  network: string | undefined;
  address: 'public' | 'private';
  floatingNetwork: string | undefined;
  sshFrom: string | undefined;
  /** Where this machine's public address is asked when sshFrom is not given. */
  checkIpUrl: string;
}

export function resolveOpenstackOptions(options: OpenstackScenarioOptions): OpenstackOptions {
  return {
    cloud: options.cloud,
    region: options.region,
    flavor: options.flavor,
    network: options.network,
    address: options.address ?? 'public',
    floatingNetwork: options.floatingNetwork,
    sshFrom: options.sshFrom,
    checkIpUrl: 'https://checkip.amazonaws.com',
  };
}
