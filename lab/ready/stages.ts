import { AtomlabError } from '../errors/index.js';
import type { Endpoint } from '../provider/index.js';
import { SshError, fingerprint, parsePublicKey, sshBanner, sshExec, type SshTarget } from '../ssh/index.js';
import type { ConsoleWatch } from './console-watch.js';

/** Everything the stages need to know about one VM. */
export interface ReadyTarget {
  vm: string;
  endpoint: () => Promise<Endpoint>;
  user: string;
  privateKey: string;
  hostKey: string;
  /** When set, password login is verified too. */
  password?: string;
  hostname: string;
  /** What configured the guest at first boot: its completion is a stage (default cloud-init). */
  firstBoot?: 'cloud-init' | 'ignition';
}

/** A stage's answer for one attempt: done (with a note), retry later, or give up. */
export type Attempt = { done: true; note?: string } | { done: false; fatal?: boolean; why: string };

export interface StageContext {
  target: ReadyTarget;
  console: ConsoleWatch;
  signal: AbortSignal;
  /** Milliseconds left until the VM's deadline. */
  remaining(): number;
}

/** One step of readiness: tried by the loop until done, fatal, or out of time. */
export interface Stage {
  name: string;
  /** What to look at when it never succeeds. */
  hint: string;
  attempt(ctx: StageContext): Promise<Attempt>;
}

async function sshTarget(ctx: StageContext, auth: 'key' | 'password'): Promise<SshTarget> {
  const { host, port } = await ctx.target.endpoint();
  const { user, privateKey, password, hostKey } = ctx.target;
  const timeoutMs = Math.max(5_000, Math.min(30_000, ctx.remaining()));
  return auth === 'key'
    ? { host, port, user, privateKey, hostKey, timeoutMs, signal: ctx.signal }
    : { host, port, user, password, hostKey, timeoutMs, signal: ctx.signal };
}

/** A login failure: fatal once cloud-init has finished (nothing will install the key later). */
function loginFailure(error: unknown, ctx: StageContext, method: string): Attempt {
  if (!(error instanceof SshError)) throw error;
  if (error.failure === 'host-key-mismatch') return { done: false, fatal: true, why: error.message };
  const settled = ctx.console.milestones.has('cloud-init-finished');
  if (error.failure === 'refused') {
    return { done: false, fatal: settled, why: `${method} login as ${ctx.target.user} was refused${settled ? ' after cloud-init finished' : ''}` };
  }
  return { done: false, why: error.message };
}

const CLOUD_INIT_WAIT = [
  'if cloud-init status --help >/dev/null 2>&1; then cloud-init status --wait; exit $?; fi',
  'while [ ! -e /var/lib/cloud/instance/boot-finished ]; do sleep 1; done; echo "status: done"',
].join('; ');

/** Where Ignition (2.x) records a finished run in the real root, written by its files stage (root's, mode 0600). */
export const IGNITION_RESULT = '/etc/.ignition-result.json';

/** Read through sudo: the file is root's alone; the login user has passwordless sudo (the config's sudoers.d file, CoreOS's wheel). */
const READ_IGNITION_RESULT = `sudo -n cat ${IGNITION_RESULT}`;

/**
 * Ignition's stage, in cloud-init's place: Ignition ran in the initramfs before the real root
 * booted, so it is done or never will be; its result file says whether it read our config.
 */
export const IGNITION_STAGE: Stage = {
  name: 'ignition',
  hint: `Ignition did not leave ${IGNITION_RESULT}: did the image boot with ignition.firstboot and read the fw_cfg config? (journalctl -t ignition in the guest)`,
  async attempt(ctx) {
    try {
      const result = await sshExec(await sshTarget(ctx, 'key'), READ_IGNITION_RESULT, 30_000);
      if (result.code !== 0) return { done: false, fatal: true, why: `cannot read ${IGNITION_RESULT} in the guest (${READ_IGNITION_RESULT}): ${result.stderr.trim()}` };
      const report = JSON.parse(result.stdout) as { userConfigProvided?: boolean; provisioningDate?: string };
      if (report.userConfigProvided !== true) return { done: false, fatal: true, why: `Ignition ran without a user config (${result.stdout.trim()})` };
      return { done: true, note: `provisioned ${report.provisioningDate ?? ''}`.trim() };
    } catch (error) {
      if (error instanceof SyntaxError) return { done: false, fatal: true, why: `${IGNITION_RESULT} is not JSON: ${error.message}` };
      return loginFailure(error, ctx, 'key');
    }
  },
};

/** The stages for a guest configured by cloud-init or by Ignition (its result in place of cloud-init's). */
export function stagesFor(firstBoot: ReadyTarget['firstBoot'] = 'cloud-init'): Stage[] {
  return firstBoot === 'ignition' ? STAGES.map((stage) => (stage.name === 'cloud-init' ? IGNITION_STAGE : stage)) : STAGES;
}

export const STAGES: Stage[] = [
  {
    name: 'ssh',
    hint: 'the guest never answered on SSH: did it boot? (see the console lines below)',
    async attempt(ctx) {
      const endpoint = await ctx.target.endpoint().catch((error: unknown) => {
        // an address that is not known yet (no DHCP lease) is waited for like a silent port
        if (error instanceof AtomlabError && error.code === 'NOT_FOUND') return error.message;
        throw error;
      });
      if (typeof endpoint === 'string') return { done: false, why: endpoint };
      const { host, port } = endpoint;
      const banner = await sshBanner(host, port, 5_000);
      return banner ? { done: true, note: banner } : { done: false, why: `no SSH banner on ${host}:${port} yet` };
    },
  },
  {
    name: 'login-key',
    hint: 'check login.user matches a user the image creates, and that cloud-init read the seed',
    async attempt(ctx) {
      try {
        const result = await sshExec(await sshTarget(ctx, 'key'), 'true', 30_000);
        return result.code === 0 ? { done: true } : { done: false, why: `a command after key login exited ${String(result.code)}` };
      } catch (error) {
        return loginFailure(error, ctx, 'key');
      }
    },
  },
  {
    name: 'cloud-init',
    hint: 'cloud-init did not finish: see /var/log/cloud-init.log in the guest',
    async attempt(ctx) {
      try {
        const result = await sshExec(await sshTarget(ctx, 'key'), CLOUD_INIT_WAIT, Math.max(10_000, ctx.remaining()));
        const status = /status: (\w+)/.exec(result.stdout)?.[1];
        if (status === 'done') return { done: true, note: 'done' };
        if (status === 'error' || status === 'degraded') return { done: false, fatal: true, why: `cloud-init reported ${status}: ${result.stdout.trim()} ${result.stderr.trim()}` };
        return { done: false, why: `cloud-init status: ${result.stdout.trim() || result.stderr.trim() || 'no answer'}` };
      } catch (error) {
        return loginFailure(error, ctx, 'key');
      }
    },
  },
  {
    name: 'hostname',
    hint: 'the seed sets local-hostname and hostname; the image may not apply them',
    async attempt(ctx) {
      const result = await sshExec(await sshTarget(ctx, 'key'), 'hostname', 30_000);
      const actual = result.stdout.trim();
      const wanted = ctx.target.hostname;
      if (actual === wanted || actual === wanted.split('.')[0]) return { done: true, note: actual };
      return { done: false, fatal: true, why: `hostname is "${actual}", expected "${wanted}"` };
    },
  },
  {
    name: 'login-password',
    hint: 'password login needs ssh_pwauth: true and chpasswd in the seed',
    async attempt(ctx) {
      if (ctx.target.password === undefined) return { done: true, note: 'no password set' };
      try {
        const result = await sshExec(await sshTarget(ctx, 'password'), 'true', 30_000);
        return result.code === 0 ? { done: true } : { done: false, why: `a command after password login exited ${String(result.code)}` };
      } catch (error) {
        return loginFailure(error, ctx, 'password');
      }
    },
  },
];

export function hostKeyFingerprint(line: string): string {
  return fingerprint(parsePublicKey(line).blob);
}
