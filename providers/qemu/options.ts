import { z } from 'zod';

/** The qemu provider's scenario options (`provider: {name: qemu, …}`), composed into the scenario schema. */
export const qemuOptions = z.strictObject({
  accel: z.enum(['auto', 'kvm', 'tcg']).optional().describe('auto: KVM when a probe boot proves it works, else TCG'),
  binary: z.string().min(1).optional().describe('the qemu-system binary (default qemu-system-x86_64)'),
  listen: z
    .ipv4({ error: 'must be an IPv4 address of this machine, or 0.0.0.0 for all' })
    .optional()
    .describe('host address forwarded ports are bound to (default 127.0.0.1; 0.0.0.0 lets other machines in, e.g. students)'),
});

export type QemuOptions = z.output<typeof qemuOptions>;
