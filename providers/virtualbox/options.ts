import { z } from 'zod';

/** The virtualbox provider's scenario options (`provider: {name: virtualbox, …}`). */
export const virtualboxOptions = z.strictObject({
  vboxmanage: z.string().min(1).default('VBoxManage').describe('the VBoxManage program: a name on PATH or a path'),
  listen: z.string().min(1).default('127.0.0.1').describe('host address the NAT port forwards (SSH included) bind to; 0.0.0.0 lets other machines reach them'),
  startAttempts: z.number().int().min(1).max(10).default(3).describe('startvm attempts when a forwarded host port was taken meanwhile (auto ports are picked again)'),
});

export type VirtualboxOptions = z.output<typeof virtualboxOptions>;
