import { AtomlabError } from '../errors/index.js';

export interface PublicCidrRequest {
  /** A service answering with the caller's address as plain text (checkip). */
  url: string;
  /** The provider named in the error. */
  provider: string;
  /** What to write in the scenario instead, for the hint. */
  hint: string;
  signal?: AbortSignal;
}

/** This machine's public address as a /32 (or /128), asked from a checkip service: what a cloud sees connecting. */
export async function publicCidr(request: PublicCidrRequest): Promise<string> {
  const answer = await fetch(request.url, { signal: request.signal ?? AbortSignal.timeout(15_000) }).then((response) => (response.ok ? response.text() : ''), () => '');
  const address = answer.trim();
  if (/^(\d{1,3}\.){3}\d{1,3}$/.test(address)) return `${address}/32`;
  if (/^[0-9a-f:]+$/i.test(address) && address.includes(':')) return `${address}/128`;
  throw new AtomlabError(`could not learn this machine's public address from ${request.url}`, { code: 'FAILED', context: { provider: request.provider }, hint: request.hint });
}
