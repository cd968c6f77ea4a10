import { AtomlabError, type ErrorCode } from '../../../lab/errors/index.js';
import { koffi } from './library.js';

/** libvirt's virErrorNumber values this project branches on (libvirt/virterror.h). */
export const VIR_ERR = {
  INTERNAL_ERROR: 1,
  NO_SUPPORT: 3,
  NO_CONNECT: 5,
  INVALID_ARG: 8,
  OPERATION_FAILED: 9,
  XML_ERROR: 27,
  XML_DETAIL: 35,
  DOM_EXIST: 28,
  OPERATION_DENIED: 29,
  SYSTEM_ERROR: 38,
  RPC: 39,
  NO_DOMAIN: 42,
  NO_NETWORK: 43,
  AUTH_FAILED: 45,
  NO_STORAGE_POOL: 49,
  NO_STORAGE_VOL: 50,
  OPERATION_INVALID: 55,
  NO_DOMAIN_SNAPSHOT: 72,
  STORAGE_VOL_EXIST: 90,
} as const;

/** libvirt's virErrorDomain values this project branches on: where in libvirt an error arose. */
export const VIR_FROM = {
  /** The RPC layer: the client's link to the daemon (connect, send, receive). */
  RPC: 7,
} as const;

const NOT_FOUND_CODES: number[] = [VIR_ERR.NO_DOMAIN, VIR_ERR.NO_NETWORK, VIR_ERR.NO_STORAGE_POOL, VIR_ERR.NO_STORAGE_VOL, VIR_ERR.NO_DOMAIN_SNAPSHOT];

/** What libvirt said about a failure, copied out of its virError struct. */
export interface LibvirtErrorDetail {
  code: number;
  domain: number;
  message: string;
}

/** A failed libvirt call: libvirt's own code, error domain and message, plus what was being done. */
export class LibvirtError extends AtomlabError {
  readonly libvirtCode: number;
  readonly libvirtDomain: number;
  readonly libvirtMessage: string;

  constructor(call: string, detail: LibvirtErrorDetail, options: { hint?: string; context?: Record<string, unknown> } = {}) {
    const code: ErrorCode = NOT_FOUND_CODES.includes(detail.code) ? 'NOT_FOUND' : 'FAILED';
    super(`libvirt: ${detail.message}`, {
      code,
      hint: options.hint,
      context: { provider: 'libvirt', step: call, libvirtCode: detail.code, libvirtDomain: detail.domain, ...options.context },
    });
    this.name = 'LibvirtError';
    this.libvirtCode = detail.code;
    this.libvirtDomain = detail.domain;
    this.libvirtMessage = detail.message;
  }

  /** True when the failure is the link to the daemon (refused, no socket, closed, end of file), not the daemon's answer. */
  get isLinkFailure(): boolean {
    return this.libvirtDomain === VIR_FROM.RPC;
  }

  /** True when libvirt reports that the object (domain, pool, volume, snapshot, network) does not exist. */
  get isNotFound(): boolean {
    return NOT_FOUND_CODES.includes(this.libvirtCode);
  }
}

/** Copies a `virError *` (owned by libvirt) into plain data; undefined for NULL or "no error". */
export function readError(pointer: unknown): LibvirtErrorDetail | undefined {
  if (pointer === null || pointer === undefined || pointer === 0n) return undefined;
  const raw = koffi.decode(pointer, 'virError') as { code: number; domain: number; message: string | null };
  if (raw.code === 0) return undefined;
  return { code: raw.code, domain: raw.domain, message: raw.message ?? `error ${raw.code}` };
}

export function unknownError(call: string): LibvirtErrorDetail {
  return { code: VIR_ERR.INTERNAL_ERROR, domain: 0, message: `${call} failed without an error report` };
}
