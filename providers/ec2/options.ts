import { z } from 'zod';

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-f:]+\/\d{1,3}$/i;

/** The ec2 provider's scenario options (`provider: {name: ec2, …}`), composed into the scenario schema. */
export const ec2Options = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be an AWS region such as eu-central-1' }).optional().describe('AWS region (default: AWS_REGION / the profile\'s region)'),
  profile: z.string().min(1).optional().describe('a profile of the shared AWS config and credentials files (default: the SDK\'s default chain)'),
  endpoint: z.url({ error: 'must be a URL such as http://127.0.0.1:5000' }).optional().describe('an EC2-compatible endpoint instead of AWS (an emulator such as moto)'),
  instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'must be an instance type such as t3.micro' }).optional().describe('instance type (default: the smallest current type with the VM\'s cpus and memory)'),
  subnet: z.string().regex(/^subnet-[0-9a-f]+$/, { error: 'must be a subnet id such as subnet-0abc123' }).optional().describe('subnet to launch in (default: the default VPC\'s)'),
  address: z.enum(['public', 'private']).optional().describe('the address SSH uses (default public)'),
  sshFrom: z.string().regex(CIDR, { error: 'must be a CIDR such as 203.0.113.7/32' }).optional().describe('who may reach SSH and ports (default: this machine\'s public address, /32)'),
  ami: z.unknown().refine(() => false, { error: 'moved to the image: write image: {ami: ami-…} (an AMI already in EC2)' }).optional().describe('moved: an existing AMI is the VM\'s image, image: {ami: ami-…}'),
  volumeType: z.enum(['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard']).optional().describe('root volume type (default gp3)'),
});

export type Ec2ScenarioOptions = z.output<typeof ec2Options>;

/** The ec2 provider's settings, every field decided (region may still come from the SDK's chain). */
export interface Ec2Options {
  region: string | undefined;
  profile: string | undefined;
  endpoint: string | undefined;
  instanceType: string | undefined;
  subnet: string | undefined;
  address: 'public' | 'private';
  sshFrom: string | undefined;
  volumeType: string;
  /** Where this machine's public address is asked when sshFrom is not given. */
  checkIpUrl: string;
}

export function resolveEc2Options(options: Ec2ScenarioOptions): Ec2Options {
  return {
    region: options.region,
    profile: options.profile,
    endpoint: options.endpoint,
    instanceType: options.instanceType,
    subnet: options.subnet,
    address: options.address ?? 'public',
    sshFrom: options.sshFrom,
    volumeType: options.volumeType ?? 'gp3',
    checkIpUrl: 'https://checkip.amazonaws.com',
  };
}
