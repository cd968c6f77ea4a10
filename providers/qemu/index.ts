import type { Provider, ProviderContext } from '../../lab/provider/index.js';
import type { QemuOptions } from './options.js';
import { QemuProvider } from './provider.js';

/** What the registry sees: a qemu provider from the scenario's (checked) provider options. */
export function createProvider(options: QemuOptions, context?: ProviderContext): Provider {
  return new QemuProvider({ ...options, log: context?.log });
}

export { QemuProvider };
export type { QemuOptions };
export { probeAccelerator } from './accel-probe.js';
export { qemuArguments } from './command-line.js';
