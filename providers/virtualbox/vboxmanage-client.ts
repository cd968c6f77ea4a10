import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { AtomlabError } from '../../lab/errors/index.js';
import { parseVersion, type VboxVersion } from './vbox-version.js';

/** The failures a caller reacts to, recognized from VBoxManage's stderr (its error codes and texts). */
export type VboxFailure = 'locked' | 'not-found' | 'port-in-use' | 'nat-rule-exists' | 'no-snapshots' | 'other';

const FAILURES: [VboxFailure, RegExp][] = [
  ['locked', /is already locked|VBOX_E_INVALID_OBJECT_STATE/],
  ['not-found', /VBOX_E_OBJECT_NOT_FOUND|Could not find a registered machine/],
  ['port-in-use', /VERR_NAT_REDIR_SETUP|failed to set up redirection/],
  ['nat-rule-exists', /A NAT rule (of this name|for this host port)/],
  ['no-snapshots', /does not have any snapshots/],
];

export function classifyFailure(stderr: string): VboxFailure {
  return FAILURES.find(([, pattern]) => pattern.test(stderr))?.[0] ?? 'other';
}

/** The failure kind an error from `VboxManage.run` carries (`other` for anything else). */
export function failureOf(error: unknown): VboxFailure {
  return error instanceof AtomlabError && typeof error.context.vboxFailure === 'string' ? (error.context.vboxFailure as VboxFailure) : 'other';
}

export interface VboxManageOptions {
  /** The VBoxManage program (a name on PATH or a path). */
  command: string;
  /** Attempts after the first while the VM's session lock is held by someone else (as Vagrant retries). */
  lockRetries?: number;
  lockRetryDelayMs?: number;
  /** Kills a call that hangs (VBoxSVC stuck). */
  timeoutMs?: number;
}

/**
 * A thin VBoxManage runner: one call, its stdout, or an AtomlabError carrying the command line,
 * exit code and stderr. Lock conflicts (another session holds the VM) are retried a few times.
 */
export class VboxManage {
  private readonly settings: Required<VboxManageOptions>;

  constructor(options: VboxManageOptions) {
    this.settings = { lockRetries: 3, lockRetryDelayMs: 1000, timeoutMs: 120_000, ...options };
  }

  async run(args: string[], signal?: AbortSignal): Promise<string> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.once(args, signal);
      } catch (error) {
        if (failureOf(error) !== 'locked' || attempt >= this.settings.lockRetries) throw error;
        await sleep(this.settings.lockRetryDelayMs, undefined, { signal });
      }
    }
  }

  async version(): Promise<VboxVersion> {
    return parseVersion(await this.run(['--version']));
  }

  private async once(args: string[], signal?: AbortSignal): Promise<string> {
    const result = await execa(this.settings.command, args, { reject: false, timeout: this.settings.timeoutMs, cancelSignal: signal, stripFinalNewline: false });
    if (result.exitCode === 0 && !result.failed) return result.stdout;
    const code = (result.cause as { code?: string } | undefined)?.code;
    throw this.failure(args, { exitCode: result.exitCode, stderr: result.stderr, stdout: result.stdout, code, shortMessage: result.shortMessage ?? '', isCanceled: result.isCanceled });
  }

  private failure(args: string[], result: { exitCode?: number; stderr: string; stdout: string; code?: string; shortMessage: string; isCanceled: boolean }): AtomlabError {
    const command = [this.settings.command, ...args].join(' ');
    if (result.isCanceled) return new AtomlabError(`${command}: interrupted`, { code: 'INTERRUPTED', context: { provider: 'virtualbox', command } });
    if (result.code === 'ENOENT') return missingVboxManage(this.settings.command);
    const stderr = result.stderr.trim();
    const first = /error: (.*)/.exec(stderr)?.[1] ?? (stderr.split('\n')[0] || result.stdout.trim().split('\n')[0] || result.shortMessage);
    return new AtomlabError(`VBoxManage ${args[0] ?? ''} failed (exit ${result.exitCode ?? '?'}): ${first}`, {
      code: 'FAILED',
      context: { provider: 'virtualbox', command, exitCode: result.exitCode, stderrTail: stderr.split('\n').slice(-10).join('\n'), vboxFailure: classifyFailure(`${stderr}\n${result.stdout}`) },
    });
  }
}

export function missingVboxManage(command: string): AtomlabError {
  return new AtomlabError(`VBoxManage not found (${command})`, {
    code: 'MISSING_TOOL',
    hint: 'install VirtualBox 6.1 or 7.x from virtualbox.org (Debian 12 has no package); or set the virtualbox provider option vboxmanage to its path',
    context: { provider: 'virtualbox', command },
  });
}
