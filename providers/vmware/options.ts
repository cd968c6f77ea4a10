import { z } from 'zod';

/**
 * The vmware provider's scenario options (`provider: {name: vmware, target: …}`). Credentials
 * for ESXi/vCenter: a user name from `credentials:` or the environment, the password only from
 * the environment, so it is never written to the scenario, the lab's state or logs (the provider is built anew from the scenario on every command).
 */
export const vmwareOptions = z.strictObject({
  target: z.enum(['workstation', 'player', 'esxi']).default('player').describe('workstation or player (vmrun on this machine), or esxi (an ESXi host or vCenter through the vSphere API)'),
  vmrun: z.string().min(1).optional().describe('the vmrun binary (default: vmrun on PATH)'),
  guestOs: z.string().regex(/^[a-z0-9-]+$/).default('fedora-64').describe('the .vmx guestOS (Workstation/Player), e.g. fedora-64, other5xlinux-64'),
  hardwareVersion: z.number().int().min(7).max(21).default(14).describe('virtualHW.version (Workstation/Player) and vmx-N (ESXi)'),
  nic: z.enum(['e1000', 'e1000e', 'vmxnet3']).default('e1000').describe('the NIC model (Workstation/Player)'),
  url: z.url({ protocol: /^https$/ }).optional().describe('ESXi/vCenter SDK URL, e.g. https://esxi.example/sdk'),
  datacenter: z.string().min(1).optional().describe('ESXi/vCenter datacenter (default: the only one)'),
  datastore: z.string().min(1).optional().describe('ESXi/vCenter datastore for VMs, templates and seeds'),
  network: z.string().min(1).default('VM Network').describe('ESXi/vCenter network (port group) for the NIC'),
  insecure: z.boolean().default(false).describe('accept any TLS certificate (a lab ESXi with its self-signed one)'),
  caFile: z.string().min(1).optional().describe('PEM file of the CA (or the self-signed certificate) the server must present'),
  credentials: z.strictObject({
    username: z.string().min(1).optional(),
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('the environment variable holding the password'),
  }).optional().describe('ESXi/vCenter login: a user name and the variable holding the password (default: ATOMLAB_VSPHERE_USERNAME / ATOMLAB_VSPHERE_PASSWORD); a password never appears in a scenario'),
  timeoutSeconds: z.number().int().positive().default(120).describe('how long one vmrun command or vSphere task may take'),
});

export type VmwareOptions = z.output<typeof vmwareOptions>;

/** The ESXi login, from the options first, then the environment. */
export function vsphereCredentials(options: VmwareOptions, env: NodeJS.ProcessEnv = process.env): { username?: string; password?: string } {
  const fromEnv = options.credentials?.passwordEnv ? env[options.credentials.passwordEnv] : undefined;
  return {
    username: options.credentials?.username ?? env.ATOMLAB_VSPHERE_USERNAME,
    password: fromEnv ?? env.ATOMLAB_VSPHERE_PASSWORD,
  };
}
