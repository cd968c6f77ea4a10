import { AtomlabError } from '../../lab/errors/index.js';
import type { CloudAuth, CloudConfig } from './clouds-config.js';
import { errorMessage, openstackError } from './openstack-errors.js';

/** A Keystone token and what it grants: the project and the service catalog. The token is a secret: kept in memory only. */
export interface Token {
  value: string;
  expiresAt: number;
  projectId: string | undefined;
  catalog: CatalogEntry[];
}

export interface CatalogEntry {
  type: string;
  name?: string;
  endpoints: { interface: string; region?: string; region_id?: string; url: string }[];
}

/** The identity v3 base: auth_url with or without `/v3`. */
export function identityBase(authUrl: string): string {
  const trimmed = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(trimmed) ? trimmed : `${trimmed}/v3`;
}

function domain(ref: { name?: string; id?: string }): Record<string, string> {
  return ref.id ? { id: ref.id } : { name: ref.name ?? 'Default' };
}

function user(auth: { username?: string; userId?: string; userDomain: { name?: string; id?: string } }): Record<string, unknown> {
  return auth.userId ? { id: auth.userId } : { name: auth.username, domain: domain(auth.userDomain) };
}

/** The `POST /v3/auth/tokens` body: password with a project scope, or an application credential (its scope is its own). */
export function authBody(auth: CloudAuth): Record<string, unknown> {
  if (auth.kind === 'application-credential') {
    const credential = auth.id ? { id: auth.id, secret: auth.secret } : { name: auth.name, secret: auth.secret, user: user(auth) };
    return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
  }
  const project = auth.project.id ? { id: auth.project.id } : { name: auth.project.name, domain: domain({ name: auth.project.domainName, id: auth.project.domainId }) };
  const scope = auth.project.id || auth.project.name ? { scope: { project } } : {};
  return { auth: { identity: { methods: ['password'], password: { user: { ...user(auth), password: auth.password } } }, ...scope } };
}

/** Asks Keystone for a token; a refusal is an AtomlabError that names the source of the credentials, never the secret. */
export async function issueToken(config: CloudConfig, signal?: AbortSignal): Promise<Token> {
  const url = `${identityBase(config.auth.authUrl)}/auth/tokens`;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(authBody(config.auth)), signal }).catch((error: unknown) => {
    throw new AtomlabError(`cannot reach Keystone at ${url}: ${(error as Error).message}`, { context: { provider: 'openstack', operation: 'authenticate' }, cause: error, hint: `check auth_url in ${config.source}` });
  });
  const text = await response.text();
  const value = response.headers.get('x-subject-token');
  if (response.status !== 201 || !value) {
    const failed = openstackError({ operation: `authenticate with ${config.source}`, service: 'identity', status: response.status, ...errorMessage(text), requestId: response.headers.get('x-openstack-request-id') ?? undefined });
    throw failed;
  }
  const token = (JSON.parse(text) as { token: { expires_at: string; project?: { id: string }; catalog?: CatalogEntry[] } }).token;
  return { value, expiresAt: Date.parse(token.expires_at), projectId: token.project?.id, catalog: token.catalog ?? [] };
}

/** The URL of a service in the catalog, for the configured interface and region. */
export function serviceUrl(token: Token, request: { type: string; interface: string; region: string | undefined }): string {
  const entry = token.catalog.find((candidate) => candidate.type === request.type);
  const endpoints = entry?.endpoints.filter((endpoint) => endpoint.interface === request.interface && (!request.region || (endpoint.region_id ?? endpoint.region) === request.region)) ?? [];
  const endpoint = endpoints[0];
  if (!endpoint) {
    const regions = [...new Set(entry?.endpoints.map((e) => e.region_id ?? e.region) ?? [])].join(', ') || 'none';
    throw new AtomlabError(`the service catalog has no ${request.interface} ${request.type} endpoint${request.region ? ` in region ${request.region}` : ''} (regions: ${regions})`, {
      context: { provider: 'openstack' },
      hint: 'pick a region that offers it (provider: {name: openstack, region: …}) or check the cloud\'s catalog: openstack catalog list',
    });
  }
  return endpoint.url.replace(/\/+$/, '');
}
