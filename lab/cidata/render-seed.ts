import { stringify } from 'yaml';
import type { KeyPair } from './keys.js';
import { mergeCloudConfig, type Mapping } from './merge-cloud-config.js';

/** Everything a NoCloud seed says about one VM, as plain data (the planner fills it in). */
export interface SeedInput {
  hostname: string;
  /** New for every VM created (see newInstanceId). */
  instanceId: string;
  /** The login user, created with passwordless sudo. */
  user: string;
  /** Set to allow password logins (console and SSH); never expires. */
  password?: string;
  /** OpenSSH public key lines authorized for `user`. */
  authorizedKeys: string[];
  /** The VM's ed25519 host key, so it is known before boot. */
  hostKey?: KeyPair;
  /** The scenario's cloud-config, layered on top (scenario wins; lists append). */
  cloudConfig?: Mapping;
  /** Extra meta-data keys, layered on top the same way. */
  metaData?: Mapping;
}

export interface RenderedSeed {
  userData: string;
  metaData: string;
}

/** cloud-init reads YAML 1.1: `yes`, `on`, `0755` … must come out quoted when they are strings. */
function toYaml(value: Mapping): string {
  return stringify(value, { version: '1.1', lineWidth: 0 });
}

function loginUser(input: SeedInput): Mapping {
  const user: Mapping = {
    name: input.user,
    sudo: 'ALL=(ALL) NOPASSWD:ALL',
    lock_passwd: input.password === undefined,
  };
  if (input.password !== undefined) user.plain_text_passwd = input.password;
  if (input.authorizedKeys.length > 0) user.ssh_authorized_keys = input.authorizedKeys.map((key) => key.trim());
  return user;
}

function baseCloudConfig(input: SeedInput): Mapping {
  const config: Mapping = { hostname: input.hostname, users: [loginUser(input)] };
  if (input.password !== undefined) {
    config.chpasswd = { expire: false };
    config.ssh_pwauth = true;
  }
  if (input.hostKey) {
    config.ssh_keys = { ed25519_private: input.hostKey.privateKey, ed25519_public: input.hostKey.publicKey };
  }
  return config;
}

/** The seed's two documents before they become files: user-data as text, meta-data as a mapping. */
export interface SeedDocuments {
  userData: string;
  metaData: Mapping;
}

/** Renders `user-data` (#cloud-config text) and the meta-data mapping, for any transport to carry. */
export function renderSeedDocuments(input: SeedInput): SeedDocuments {
  const userData = mergeCloudConfig(baseCloudConfig(input), input.cloudConfig ?? {});
  const metaData = mergeCloudConfig({ 'instance-id': input.instanceId, 'local-hostname': input.hostname }, input.metaData ?? {});
  return { userData: `#cloud-config\n${toYaml(userData)}`, metaData };
}

/** meta-data as NoCloud's YAML file. */
export function metaDataYaml(metaData: Mapping): string {
  return toYaml(metaData);
}

/** Renders `user-data` (#cloud-config) and `meta-data` for a NoCloud seed. */
export function renderSeed(input: SeedInput): RenderedSeed {
  const documents = renderSeedDocuments(input);
  return { userData: documents.userData, metaData: metaDataYaml(documents.metaData) };
}
