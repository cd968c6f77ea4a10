import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import type { CloudConfig } from './clouds-config.js';
import { issueToken, serviceUrl, type Token } from './keystone.js';
import { errorMessage, openstackError } from './openstack-errors.js';

/** The services atomlab calls, by catalog type, and the API version appended when the catalog URL has none. */
const VERSIONS: Record<Service, RegExp | undefined> = { compute: undefined, image: /\/v2(\.\d+)?$/, network: /\/v2\.0$/ };
const APPEND: Record<Service, string> = { compute: '', image: '/v2', network: '/v2.0' };
export type Service = 'compute' | 'image' | 'network';

export interface CallRequest {
  service: Service;
  operation: string;
  method: string;
  path: string;
  json?: unknown;
  /** A streamed body (an image upload): sent once, never retried. */
  stream?: ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
  /** Statuses that are not errors (default 200–299). */
  accept?: number[];
  signal?: AbortSignal;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: unknown;
}

/** How often a rate-limited call is tried, and the longest Retry-After waited out. */
export const RATE_LIMIT = { attempts: 4, maxWaitMs: 120_000 };

/** Retry-After in seconds or as an HTTP date, or Nova's `overLimit.retryAfter`; 1 s when none is given. */
export function retryAfterMs(headers: Headers, text: string, now = Date.now()): number {
  const header = headers.get('retry-after') ?? (/"retryAfter"\s*:\s*"?(\d+)/.exec(text)?.[1] ?? null);
  if (header === null) return 1000;
  const seconds = Number(header);
  return Number.isFinite(seconds) ? seconds * 1000 : Math.max(0, Date.parse(header) - now);
}

/**
 * A Keystone session: one token reused until shortly before it expires (or a service says 401),
 * endpoints from the token's catalog, and each call retried when the cloud limits the rate (413,
 * 429, 503 with Retry-After). Tokens and passwords stay in memory; nothing here logs.
 */
export class OpenstackSession {
  private token: Promise<Token> | undefined;

  constructor(readonly config: CloudConfig) {}

  async currentToken(signal?: AbortSignal): Promise<Token> {
    const cached = this.token && (await this.token.catch(() => undefined));
    if (cached && cached.expiresAt - Date.now() > 120_000) return cached;
    this.token = issueToken(this.config, signal);
    this.token.catch(() => (this.token = undefined));
    return this.token;
  }

  async endpoint(service: Service, signal?: AbortSignal): Promise<string> {
    const url = serviceUrl(await this.currentToken(signal), { type: service, interface: this.config.interface, region: this.config.region });
    return VERSIONS[service] && !VERSIONS[service].test(url) ? `${url}${APPEND[service]}` : url;
  }

  async call(request: CallRequest): Promise<CallResult> {
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      const response = await this.send(request);
      const text = await response.text();
      if (response.ok || request.accept?.includes(response.status)) return { status: response.status, headers: response.headers, body: text ? parseJson(text) : undefined };
      const limited = response.status === 413 || response.status === 429 || (response.status === 503 && response.headers.has('retry-after'));
      const wait = limited ? retryAfterMs(response.headers, text) : 0;
      if (response.status === 401 && !renewed && !request.stream) {
        renewed = true;
        this.token = undefined;
        continue;
      }
      if (limited && !request.stream && attempt < RATE_LIMIT.attempts && wait <= RATE_LIMIT.maxWaitMs) {
        await sleep(wait, undefined, { signal: request.signal });
        continue;
      }
      throw openstackError({ operation: request.operation, service: request.service, status: response.status, ...errorMessage(text), requestId: response.headers.get('x-openstack-request-id') ?? undefined, attempts: limited ? attempt : undefined });
    }
  }

  private async send(request: CallRequest): Promise<Response> {
    const token = await this.currentToken(request.signal);
    const url = `${await this.endpoint(request.service, request.signal)}${request.path}`;
    const body = request.stream ?? (request.json === undefined ? undefined : JSON.stringify(request.json));
    const type = request.stream ? 'application/octet-stream' : 'application/json';
    const init: RequestInit & { duplex?: 'half' } = { method: request.method, body, headers: { 'x-auth-token': token.value, accept: 'application/json', ...(body ? { 'content-type': type } : {}), ...request.headers }, signal: request.signal };
    if (request.stream) init.duplex = 'half';
    return fetch(url, init).catch((error: unknown) => {
      if (request.signal?.aborted) throw error;
      throw new AtomlabError(`${request.operation}: cannot reach the ${request.service} service at ${url}: ${(error as Error).message}`, { context: { provider: 'openstack', operation: request.operation, service: request.service }, cause: error });
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
