import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { gceError, type GoogleFailure } from './gce-errors.js';

export interface HttpCall {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

export interface GoogleHttpOptions {
  /** https://storage.googleapis.com, or an endpoint standing in for it. */
  storageBase: string;
  /** The Authorization header (from Application Default Credentials). */
  authorization: () => Promise<string>;
  /** Tries per call while Google answers 429 or 503 (Retry-After honoured). */
  maxAttempts?: number;
}

/**
 * fetch with ADC's bearer token for the Cloud Storage JSON API: 429 and 503 are retried after
 * the Retry-After Google sends (else 1, 2, 4 s), every other answer is the caller's. A token
 * that cannot be had (expired, revoked) is an AtomlabError naming the credentials.
 */
export class GoogleHttp {
  readonly storageBase: string;

  constructor(private readonly options: GoogleHttpOptions) {
    this.storageBase = options.storageBase.replace(/\/$/, '');
  }

  async raw(call: HttpCall): Promise<Response> {
    const attempts = this.options.maxAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      const authorization = await this.options.authorization();
      const response = await fetch(call.url, { method: call.method, headers: { ...call.headers, authorization }, body: call.body, signal: call.signal }).catch((error: unknown) => {
        throw new AtomlabError(`Cloud Storage connection failed (${call.method} ${new URL(call.url).pathname}): ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : String(error)}`, {
          code: call.signal?.aborted ? 'INTERRUPTED' : 'FAILED', cause: error, context: { provider: 'gce' }, hint: 'run up again: an upload resumes where Cloud Storage says it stopped',
        });
      });
      if ((response.status !== 429 && response.status !== 503) || attempt >= attempts) return response;
      await response.arrayBuffer();
      await sleep(retryDelayMs(response.headers.get('retry-after'), attempt), undefined, { signal: call.signal });
    }
  }

  /** raw, but any answer outside 2xx is an error. */
  async request(call: HttpCall & { operation: string }): Promise<Response> {
    const response = await this.raw(call);
    if (!response.ok) throw await this.failure(call.operation, response);
    return response;
  }

  async json<T>(call: HttpCall & { operation: string }): Promise<T> {
    return (await (await this.request(call)).json()) as T;
  }

  /** Google's JSON error body as one AtomlabError. */
  async failure(operation: string, response: Response): Promise<AtomlabError> {
    const text = await response.text().catch(() => '');
    return gceError(operation, parseFailure(response.status, text, response.headers.get('retry-after')));
  }
}

/** Retry-After in seconds (or an HTTP date), else exponential backoff. */
export function retryDelayMs(header: string | null, attempt: number): number {
  const seconds = Number(header);
  if (header && Number.isFinite(seconds)) return Math.min(60, Math.max(0, seconds)) * 1000;
  const date = header ? Date.parse(header) : NaN;
  if (Number.isFinite(date)) return Math.min(60_000, Math.max(0, date - Date.now()));
  return 1000 * 2 ** (attempt - 1);
}

/** The documented error shapes: `{error: {code, message, errors: [{reason}], status}}` or OAuth's `{error, error_description}`. */
export function parseFailure(status: number, text: string, retryAfter: string | null = null): GoogleFailure {
  let body: { error?: { message?: string; status?: string; errors?: { reason?: string; message?: string }[] } | string; error_description?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = {};
  }
  const error = body.error;
  if (typeof error === 'string') return { status, reason: error, message: body.error_description ?? error };
  return { status, reason: error?.errors?.[0]?.reason ?? error?.status, message: error?.message ?? (text.slice(0, 300) || `HTTP ${status}`), retryAfter: retryAfter ?? undefined };
}
