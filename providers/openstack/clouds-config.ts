import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { AtomlabError } from '../../lab/errors/index.js';

/** Keystone v3 credentials: a password (user and project scope) or an application credential. Secrets: never logged or stored. */
export type CloudAuth =
  | { kind: 'password'; authUrl: string; username?: string; userId?: string; password: string; userDomain: { name?: string; id?: string }; project: { name?: string; id?: string; domainName?: string; domainId?: string } }
  | { kind: 'application-credential'; authUrl: string; id?: string; name?: string; secret: string; username?: string; userId?: string; userDomain: { name?: string; id?: string } };

/** One cloud, ready to authenticate: where its credentials came from (for messages), never the secrets themselves in messages. */
export interface CloudConfig {
  /** `clouds.yaml entry X (file)` or `OS_* environment`. */
  source: string;
  auth: CloudAuth;
  region: string | undefined;
  /** Which catalog endpoints to use (public, internal, admin). */
  interface: string;
}

type Entry = { auth?: Record<string, string | undefined>; auth_type?: string; region_name?: string | string[]; interface?: string; endpoint_type?: string };

/** clouds.yaml's standard search path (openstacksdk's): OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/, /etc/openstack/. */
export function cloudsFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [process.cwd(), join(env.HOME ?? homedir(), '.config', 'openstack'), '/etc/openstack'];
  const named = env.OS_CLIENT_CONFIG_FILE ? [resolve(env.OS_CLIENT_CONFIG_FILE)] : [];
  return [...named, ...dirs.flatMap((dir) => [join(dir, 'clouds.yaml'), join(dir, 'clouds.yml')])];
}

async function readYaml(path: string): Promise<{ clouds?: Record<string, Entry> } | undefined> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
  if (text === undefined) return undefined;
  try {
    return (parse(text) ?? {}) as { clouds?: Record<string, Entry> };
  } catch (error) {
    throw new AtomlabError(`${path} is not valid YAML`, { code: 'BAD_INPUT', context: { provider: 'openstack', file: path }, cause: error });
  }
}

/** The first clouds.yaml on the search path, and secure.yaml beside it merged in (openstacksdk's way of keeping passwords apart). */
async function loadClouds(env: NodeJS.ProcessEnv): Promise<{ path: string; clouds: Record<string, Entry> } | undefined> {
  for (const path of cloudsFiles(env)) {
    const found = await readYaml(path);
    if (!found) continue;
    const secure = await readYaml(env.OS_CLIENT_SECURE_FILE ?? path.replace(/clouds\.ya?ml$/, 'secure.yaml'));
    const clouds = found.clouds ?? {};
    for (const [name, extra] of Object.entries(secure?.clouds ?? {})) clouds[name] = { ...clouds[name], ...extra, auth: { ...clouds[name]?.auth, ...extra.auth } };
    return { path, clouds };
  }
  return undefined;
}

/** OS_* variables as a clouds.yaml entry (what `openstack` and openstacksdk read when no cloud is named). */
function environmentEntry(env: NodeJS.ProcessEnv): Entry {
  const pick = (name: string) => env[`OS_${name}`] || undefined;
  const auth = {
    auth_url: pick('AUTH_URL'), username: pick('USERNAME'), user_id: pick('USER_ID'), password: pick('PASSWORD'),
    project_name: pick('PROJECT_NAME') ?? pick('TENANT_NAME'), project_id: pick('PROJECT_ID') ?? pick('TENANT_ID'),
    user_domain_name: pick('USER_DOMAIN_NAME'), user_domain_id: pick('USER_DOMAIN_ID'), project_domain_name: pick('PROJECT_DOMAIN_NAME'), project_domain_id: pick('PROJECT_DOMAIN_ID'),
    domain_name: pick('DOMAIN_NAME'), domain_id: pick('DOMAIN_ID'),
    application_credential_id: pick('APPLICATION_CREDENTIAL_ID'), application_credential_name: pick('APPLICATION_CREDENTIAL_NAME'), application_credential_secret: pick('APPLICATION_CREDENTIAL_SECRET'),
  };
  return { auth, auth_type: pick('AUTH_TYPE'), region_name: pick('REGION_NAME'), interface: pick('INTERFACE') ?? pick('ENDPOINT_TYPE') };
}

function missing(source: string, what: string): AtomlabError {
  return new AtomlabError(`${source} has no ${what}`, { code: 'BAD_INPUT', context: { provider: 'openstack' }, hint: 'download clouds.yaml from the dashboard (API Access), or source the openrc file (OS_* variables)' });
}

/** Password or application-credential auth from one entry; anything else is refused by name. */
export function entryAuth(entry: Entry, source: string): CloudAuth {
  const a = entry.auth ?? {};
  const authUrl = a.auth_url;
  if (!authUrl) throw missing(source, 'auth_url');
  const type = (entry.auth_type ?? (a.application_credential_secret ? 'v3applicationcredential' : 'password')).replace(/_/g, '');
  const userDomain = { name: a.user_domain_name ?? a.domain_name ?? (a.user_domain_id || a.domain_id ? undefined : 'Default'), id: a.user_domain_id ?? a.domain_id };
  if (type === 'v3applicationcredential' || type === 'applicationcredential') {
    if (!a.application_credential_secret) throw missing(source, 'application_credential_secret');
    if (!a.application_credential_id && !a.application_credential_name) throw missing(source, 'application_credential_id');
    return { kind: 'application-credential', authUrl, id: a.application_credential_id, name: a.application_credential_name, secret: a.application_credential_secret, username: a.username, userId: a.user_id, userDomain };
  }
  if (type !== 'password' && type !== 'v3password') throw new AtomlabError(`${source}: auth_type ${entry.auth_type} is not supported`, { code: 'BAD_INPUT', context: { provider: 'openstack' }, hint: 'atomlab authenticates with Keystone v3 passwords (auth_type: password) or application credentials (auth_type: v3applicationcredential)' });
  if (!a.password) throw missing(source, 'password');
  if (!a.username && !a.user_id) throw missing(source, 'username');
  const project = { name: a.project_name, id: a.project_id, domainName: a.project_domain_name ?? (a.project_domain_id ? undefined : (a.domain_name ?? 'Default')), domainId: a.project_domain_id ?? a.domain_id };
  return { kind: 'password', authUrl, username: a.username, userId: a.user_id, password: a.password, userDomain, project };
}

function toConfig(entry: Entry, source: string, region: string | undefined): CloudConfig {
  const regions = Array.isArray(entry.region_name) ? entry.region_name : [entry.region_name].filter((r): r is string => Boolean(r));
  return { source, auth: entryAuth(entry, source), region: region ?? regions[0], interface: (entry.interface ?? entry.endpoint_type ?? 'public').replace(/URL$/, '') };
}

/**
 * The cloud to use, the ecosystem's way: a named entry (the scenario's `cloud:`, else OS_CLOUD)
 * of the first clouds.yaml on the search path, else the OS_* variables of an openrc file.
 */
export async function loadCloudConfig(request: { cloud?: string; region?: string; env?: NodeJS.ProcessEnv }): Promise<CloudConfig> {
  const env = request.env ?? process.env;
  const name = request.cloud ?? env.OS_CLOUD;
  if (!name) {
    if (!env.OS_AUTH_URL) throw new AtomlabError('no OpenStack cloud named and no OS_AUTH_URL set', { code: 'BAD_INPUT', context: { provider: 'openstack' }, hint: 'name a clouds.yaml entry (provider: {name: openstack, cloud: mycloud} or OS_CLOUD), or source the openrc file' });
    return toConfig(environmentEntry(env), 'the OS_* environment', request.region ?? env.OS_REGION_NAME);
  }
  const loaded = await loadClouds(env);
  const entry = loaded?.clouds[name];
  if (!loaded || !entry) {
    const where = loaded ? `${loaded.path} (it has: ${Object.keys(loaded.clouds).join(', ') || 'none'})` : `any of ${cloudsFiles(env).join(', ')}`;
    throw new AtomlabError(`cloud ${name} is not in ${where}`, { code: 'BAD_INPUT', context: { provider: 'openstack' }, hint: 'put the cloud\'s clouds.yaml (from the dashboard\'s API Access page) in ~/.config/openstack/, or set OS_CLIENT_CONFIG_FILE' });
  }
  return toConfig(entry, `clouds.yaml entry ${name} (${loaded.path})`, request.region);
}
