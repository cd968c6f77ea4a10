import { failureOf, type VboxManage } from './vboxmanage-client.js';
import { registeredMedium, shareBaseArgs } from './vm-commands.js';

/**
 * Registers a base VDI once as VirtualBox `multiattach` (shared read-only; each VM writes to its
 * own differencing disk), and remembers that per base so VMs created together do it once. A base
 * registered by an earlier lab is reused as it is; `destroy` never closes it.
 */
export class SharedBases {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly client: VboxManage) {}

  ensure(base: string, signal?: AbortSignal): Promise<void> {
    let registering = this.pending.get(base);
    if (!registering) {
      registering = this.register(base, signal);
      registering.catch(() => this.pending.delete(base));
      this.pending.set(base, registering);
    }
    return registering;
  }

  private async register(base: string, signal?: AbortSignal): Promise<void> {
    if (registeredMedium(await this.client.run(['list', 'hdds'], signal), base)) return;
    try {
      await this.client.run(shareBaseArgs(base), signal);
    } catch (error) {
      // another atomlab registered it (and gave it children) between our list and our modify
      if (failureOf(error) === 'other' && registeredMedium(await this.client.run(['list', 'hdds'], signal), base)) return;
      throw error;
    }
  }
}
