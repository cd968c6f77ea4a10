import { z } from 'zod';

/** The step kinds a scenario can run, in the order the docs list them. */
export const STEP_KINDS = ['run', 'reboot', 'upgrade', 'rollback', 'reset', 'snapshot', 'revert', 'copy', 'wait-port', 'console-expect'] as const;

/** Kinds whose value names the VMs they act on (`upgrade: host1`); the others take `on:`. */
export const TARGET_KINDS = ['reboot', 'upgrade', 'rollback', 'reset'] as const;

const DURATION_TEXT = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)\s*$/;
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A timer waits at most 2^31-1 ms (24.8 days) and fires at once when asked for longer: cap well below. */
export const MAX_DURATION_SECONDS = 7 * 24 * 3600;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const withinMax = (text: string) => {
  const [, amount, unit] = DURATION_TEXT.exec(text) ?? [];
  return amount === undefined || Number(amount) * UNIT_SECONDS[unit!]! <= MAX_DURATION_SECONDS;
};
const TOO_LONG = `must be at most 7 days (${MAX_DURATION_SECONDS} s, 168h)`;

export const duration = z
  .union([
    z.number().positive().max(MAX_DURATION_SECONDS),
    z.string().regex(DURATION_TEXT, { error: 'must be seconds, or a duration such as 90s, 10m or 1h' }).refine(withinMax, { error: TOO_LONG }),
  ])
  .describe('seconds, or a duration such as 90s, 10m or 1h');

export const TargetSchema = z
  .union([z.string().min(1).describe('a VM name, or all'), z.array(z.string().min(1)).min(1).describe('VM names')])
  .describe('the VMs a step acts on: a name, a list of names, or all');

export const TextMatchSchema = z
  .union([
    z.string().describe('the whole output (trimmed) equals this'),
    z.strictObject({
      equals: z.string().optional().describe('the whole output, trimmed, equals this'),
      contains: z.union([z.string(), z.array(z.string())]).optional().describe('the output contains this text (each, for a list)'),
      regex: z.string().min(1).optional().describe('a JavaScript regular expression the output matches'),
      notContains: z.union([z.string(), z.array(z.string())]).optional().describe('the output does not contain this text'),
    }),
  ])
  .describe('what an output must be: a string (equals), or {equals, contains, regex, notContains}');

export const ExpectSchema = z
  .strictObject({
    exit: z.union([z.number().int().min(0).max(255), z.literal('any'), z.literal('nonzero')]).optional().describe('exit status (default 0)'),
    stdout: TextMatchSchema.optional(),
    stderr: TextMatchSchema.optional(),
    json: z
      .record(z.string().min(1), z.unknown())
      .optional()
      .describe('stdout parsed as JSON: path (deployments[0].version) → the value it must equal'),
  })
  .describe('what the command must do; without it, exit 0');

export const CopySchema = z.strictObject({
  from: z.string().min(1).describe('a local file (relative to the scenario file)'),
  to: z.string().min(1).describe('the absolute path in the guest'),
  mode: z.string().regex(/^0?[0-7]{3,4}$/, { error: 'must be an octal mode such as 0644' }).optional(),
});

export const HttpCheckSchema = z.strictObject({
  path: z.string().regex(/^\//, { error: 'must start with /' }).optional().describe('request path (default /)'),
  status: z.number().int().min(100).max(599).optional().describe('the status it must answer (default: any status)'),
  tls: z.boolean().optional().describe('HTTPS without certificate checks (Cockpit on 9090)'),
});

export const InterruptSchema = z
  .strictObject({
    when: z.string().min(1).describe('a regular expression on the upgrade\'s output; when it matches, the VM is hard reset'),
  })
  .describe('interrupt the upgrade with a hard reset, then check the host still boots a complete deployment');

/**
 * One step. A single mapping whose kind is the one kind key it has (`run:`, `upgrade:`, …);
 * which options fit which kind is checked when the plan is resolved, so each problem is reported
 * at its own key.
 */
export const StepSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe('a name for reports (default: the kind and its value)'),
    run: z.string().min(1).optional().describe('a shell command run over SSH as the login user'),
    reboot: TargetSchema.optional().describe('reboot; proven by /proc/sys/kernel/random/boot_id changing, then login verified again'),
    upgrade: TargetSchema.optional().describe('rpm-ostree upgrade, reboot, assert the booted deployment changed'),
    rollback: TargetSchema.optional().describe('rpm-ostree rollback, reboot, assert the other deployment is booted'),
    reset: TargetSchema.optional().describe('hard reset (no shutdown), then wait for a new boot and login'),
    snapshot: z.string().regex(SNAPSHOT_NAME, { error: 'letters, digits, ., _ and -, at most 64' }).optional().describe('take a named snapshot'),
    revert: z.string().regex(SNAPSHOT_NAME, { error: 'letters, digits, ., _ and -, at most 64' }).optional().describe('revert to a named snapshot'),
    copy: CopySchema.optional().describe('copy a local file into the guest'),
    'wait-port': z.number().int().min(1).max(65535).optional().describe('wait until a guest TCP port answers (reached through SSH)'),
    'console-expect': z.string().min(1).optional().describe('a regular expression a serial console line must match'),
    on: TargetSchema.optional().describe('for run, snapshot, revert, copy, wait-port, console-expect: the VMs (default all)'),
    expect: ExpectSchema.optional(),
    version: z.union([z.string().min(1), z.number()]).optional().describe('upgrade: the version the new deployment must have'),
    interrupt: InterruptSchema.optional(),
    http: HttpCheckSchema.optional().describe('wait-port: also require an HTTP answer'),
    timeout: duration.optional().describe('how long the step may take per VM (run 2m; reboot, upgrade, rollback, reset 10m; others 5m)'),
  })
  .describe('a step: exactly one of run, reboot, upgrade, rollback, reset, snapshot, revert, copy, wait-port, console-expect');

export type StepEntry = z.infer<typeof StepSchema>;
export type TextMatch = z.infer<typeof TextMatchSchema>;
