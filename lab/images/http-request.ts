import { AtomlabError } from '../errors/index.js';
import { httpGet, type HttpResponse } from './http-get.js';

/** A failure worth another attempt (connection trouble, 5xx, idle timeout). */
export class RetryableError extends AtomlabError {}

export interface RequestOptions {
  /** Ask for the bytes from this offset on (Range), if the validator still matches (If-Range). */
  offset?: number;
  validator?: string;
  idleTimeoutMs: number;
  signal?: AbortSignal;
}

export interface OpenResponse {
  response: HttpResponse;
  /** Resets the idle timer; call on every chunk. */
  touch: () => void;
  /** Stops the timer and the connection. */
  close: () => void;
}

function statusError(url: string, status: number): AtomlabError {
  const context = { url, status };
  if (status >= 500 || status === 408 || status === 429) {
    return new RetryableError(`${url}: server answered ${status}`, { code: 'FAILED', context });
  }
  const code = status === 404 || status === 410 ? 'NOT_FOUND' : 'FAILED';
  return new AtomlabError(`${url}: server answered ${status}`, {
    code,
    hint: 'check the image URL (or the catalog entry that names it)',
    context,
  });
}

function requestHeaders(options: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (options.offset) {
    headers.range = `bytes=${options.offset}-`;
    if (options.validator) headers['if-range'] = options.validator;
  }
  return headers;
}

/** An idle timer tied to an AbortController: no bytes for idleTimeoutMs aborts the request. */
function idleAbort(idleTimeoutMs: number, signal?: AbortSignal) {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleTimeoutMs} ms`)), idleTimeoutMs);
  };
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const close = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (!controller.signal.aborted) controller.abort(new Error('closed'));
  };
  touch();
  return { signal: controller.signal, touch, close };
}

/** Wraps a network failure: retryable unless the caller aborted. */
export function networkError(url: string, cause: unknown, signal?: AbortSignal): AtomlabError {
  if (signal?.aborted) {
    return new AtomlabError(`download of ${url} interrupted`, { code: 'INTERRUPTED', cause });
  }
  const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
  return new RetryableError(`${url}: ${reason}`, { code: 'FAILED', context: { url }, cause });
}

/** GET with redirects, Range/If-Range and an idle timeout; non-2xx answers become errors. */
export async function openRequest(url: string, options: RequestOptions): Promise<OpenResponse> {
  const idle = idleAbort(options.idleTimeoutMs, options.signal);
  let response: HttpResponse;
  try {
    response = await httpGet(url, requestHeaders(options), idle.signal);
  } catch (cause) {
    idle.close();
    throw networkError(url, idle.signal.reason ?? cause, options.signal);
  }
  if (response.status < 200 || response.status > 299) {
    idle.close();
    response.body.destroy();
    throw statusError(url, response.status);
  }
  return { response, touch: idle.touch, close: idle.close };
}

/** A small text resource (checksum file), in full. */
export async function fetchText(url: string, options: RequestOptions): Promise<Uint8Array> {
  if (!/^https?:/i.test(url)) {
    const { readFile } = await import('node:fs/promises');
    const path = url.startsWith('file:') ? new URL(url) : url;
    return readFile(path).catch((cause: unknown) => {
      throw new AtomlabError(`cannot read ${url}`, { code: 'NOT_FOUND', cause });
    });
  }
  const open = await openRequest(url, options);
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of open.response.body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } catch (cause) {
    throw networkError(url, cause, options.signal);
  } finally {
    open.close();
  }
}
