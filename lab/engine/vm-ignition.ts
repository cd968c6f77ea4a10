import type { KeyPair } from '../cidata/index.js';
import { hashPassword, normalizeFragment, renderIgnition, type IgnitionConfig } from '../ignition/index.js';
import type { VmPlan } from '../plan/index.js';
import { fillServeUrls } from './lab-servers.js';

/** What Ignition-configured images get when their catalog entry names no spec version. */
const DEFAULT_SPEC = '3.3.0';

export interface VmIgnitionRequest {
  plan: VmPlan;
  /** Public keys authorized for the login user (the lab's first). */
  publicKeys: string[];
  hostKey: KeyPair;
  password?: string;
  serveUrls: Record<string, string>;
}

/**
 * The Ignition config `up` gives a VM whose seed is `ignition`: the same user, keys, password
 * and pinned host key its cloud-init seed would carry, the scenario's `ignition:` fragment
 * merged (its `{{serve.NAME}}` filled first). lab/seed judges it before writing it.
 */
export function vmIgnitionConfig(request: VmIgnitionRequest): IgnitionConfig {
  const { plan } = request;
  return renderIgnition({
    version: plan.image.ignitionVersion ?? DEFAULT_SPEC,
    hostname: plan.hostname,
    user: plan.login.user,
    passwordHash: request.password === undefined ? undefined : hashPassword(request.password),
    authorizedKeys: request.publicKeys,
    hostKey: request.hostKey,
    fragment: normalizeFragment(fillServeUrls(plan.ignition, request.serveUrls)).config,
  });
}
