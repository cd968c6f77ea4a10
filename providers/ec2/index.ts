import type { Provider, ProviderContext } from '../../lab/provider/index.js';
import { resolveEc2Options, type Ec2ScenarioOptions } from './options.js';
import { Ec2Provider } from './provider.js';

/** What the registry sees: an EC2 provider from the scenario's (checked) provider options. */
export function createProvider(options: Ec2ScenarioOptions, context?: ProviderContext): Provider {
  return new Ec2Provider({ ...resolveEc2Options(options), log: context?.log });
}

export { Ec2Provider };
export type { Ec2VmData, Ec2ProviderSettings } from './provider.js';
export { ec2Options, resolveEc2Options } from './options.js';
export type { Ec2Options, Ec2ScenarioOptions } from './options.js';
