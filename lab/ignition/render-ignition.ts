import type { KeyPair } from '../cidata/index.js';
import { dataUrl } from './data-url.js';
import { mergeIgnition, type IgnitionConfig } from './merge-ignition.js';
import { HOST_KEY_PUB } from './written-file.js';

/** Everything an Ignition config says about one VM, as plain data (the counterpart of SeedInput). */
export interface IgnitionInput {
  /** The spec version the image's Ignition reads (catalog `ignition:`), e.g. 3.3.0. */
  version: string;
  hostname: string;
  /** The login user, created (or changed) by Ignition, with passwordless sudo. */
  user: string;
  /** A crypt(3) hash (see hashPassword); absent: key login only. */
  passwordHash?: string;
  /** OpenSSH public key lines authorized for `user`. */
  authorizedKeys: string[];
  /** The VM's ed25519 host key, so it is known before boot. */
  hostKey?: KeyPair;
  /** The scenario's `ignition:` fragment in Ignition's shape (see normalizeFragment), merged last. */
  fragment?: IgnitionConfig;
}

interface FileSpec {
  path: string;
  mode: number;
  content: string;
}

function file(spec: FileSpec): IgnitionConfig {
  return { path: spec.path, mode: spec.mode, overwrite: true, contents: { source: dataUrl(spec.content) } };
}

function loginUser(input: IgnitionInput): IgnitionConfig {
  const user: IgnitionConfig = { name: input.user };
  if (input.passwordHash !== undefined) user.passwordHash = input.passwordHash;
  if (input.authorizedKeys.length > 0) user.sshAuthorizedKeys = input.authorizedKeys.map((key) => key.trim());
  return user;
}

function files(input: IgnitionInput): FileSpec[] {
  const specs: FileSpec[] = [
    { path: '/etc/hostname', mode: 0o644, content: `${input.hostname}\n` },
    { path: `/etc/sudoers.d/atomlab-${input.user}`, mode: 0o440, content: `${input.user} ALL=(ALL) NOPASSWD:ALL\n` },
  ];
  if (input.passwordHash !== undefined) {
    // Fedora CoreOS turns SSH password logins off in 40-disable-passwords.conf; sshd takes the
    // first value it reads, so a file sorting before it turns them on (as its docs say).
    specs.push({ path: '/etc/ssh/sshd_config.d/20-enable-passwords.conf', mode: 0o644, content: '# atomlab: the scenario sets a password\nPasswordAuthentication yes\n' });
  }
  if (input.hostKey) {
    specs.push({ path: '/etc/ssh/ssh_host_ed25519_key', mode: 0o600, content: input.hostKey.privateKey });
    specs.push({ path: HOST_KEY_PUB, mode: 0o644, content: `${input.hostKey.publicKey}\n` });
  }
  return specs;
}

/**
 * An Ignition config for one VM: the login user with its keys and password hash, passwordless
 * sudo, the hostname as /etc/hostname, the pinned host key as files with their modes; then the
 * scenario's fragment merged over it, the way Ignition merges configs.
 */
export function renderIgnition(input: IgnitionInput): IgnitionConfig {
  const base: IgnitionConfig = {
    ignition: { version: input.version },
    passwd: { users: [loginUser(input)] },
    storage: { files: files(input).map(file) },
  };
  return input.fragment ? mergeIgnition(base, input.fragment) : base;
}
