import type { Provider, ProviderContext } from '../../lab/provider/index.js';
import { QemuProvider, type QemuOptions } from './provider.js';

/** What the registry sees: a qemu provider from the scenario's provider options. */
export function createProvider(options: Record<string, unknown> = {}, context?: ProviderContext): Provider {
  const { accel, binary, listen } = options as QemuOptions;
  return new QemuProvider({ accel, binary, listen, log: context?.log });
}

export { QemuProvider };
export type { QemuOptions };
export { probeAccelerator } from './accel-probe.js';
export { qemuArguments } from './command-line.js';
