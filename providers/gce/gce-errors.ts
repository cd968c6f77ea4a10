import { AtomlabError } from '../../lab/errors/index.js';

/** A failed Google call reduced to what decides the message: HTTP status, Google's reason, its words. */
export interface GoogleFailure {
  status?: number;
  /** gRPC code (REST answers carry it too: 16 unauthenticated, 8 resource exhausted, 5 not found). */
  grpcCode?: number;
  /** `quotaExceeded`, `rateLimitExceeded`, `QUOTA_EXCEEDED`, `invalid_grant`, `UNAUTHENTICATED`, … */
  reason?: string;
  message: string;
  retryAfter?: string;
}

const CREDENTIALS = /^(invalid_grant|invalid_client|unauthorized_client|authError|UNAUTHENTICATED|CREDENTIALS_MISSING|ACCESS_TOKEN_EXPIRED|expired)$/i;
const QUOTA = /^(quotaExceeded|QUOTA_EXCEEDED|ZONE_RESOURCE_POOL_EXHAUSTED|ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS|limitExceeded)$/;
const THROTTLED = /^(rateLimitExceeded|userRateLimitExceeded|RATE_LIMIT_EXCEEDED|backendError)$/;

export type FailureKind = 'credentials' | 'quota' | 'throttled' | 'not-found' | 'other';

export function failureKind(failure: GoogleFailure): FailureKind {
  const reason = failure.reason ?? '';
  if (CREDENTIALS.test(reason) || failure.status === 401 || failure.grpcCode === 16) return 'credentials';
  if (QUOTA.test(reason) || /Quota '[^']+' exceeded/.test(failure.message)) return 'quota';
  if (THROTTLED.test(reason) || failure.status === 429) return 'throttled';
  if (failure.status === 404 || failure.grpcCode === 5 || reason === 'notFound') return 'not-found';
  return 'other';
}

const HINTS: Record<FailureKind, string | undefined> = {
  credentials: 'renew Application Default Credentials (gcloud auth application-default login), or point GOOGLE_APPLICATION_CREDENTIALS at a valid service-account key',
  quota: 'free some of it (atomlab down on other labs, gcloud compute instances list), pick a smaller machine type or another zone, or ask for more (IAM & Admin → Quotas)',
  throttled: 'wait a minute and run the command again; fewer VMs at once (--parallel) send fewer requests',
  'not-found': undefined,
  other: undefined,
};

/**
 * One clear AtomlabError for a failed Google call: what was being done, Google's reason and
 * words, and what to do. Google's messages never echo tokens or keys; neither does this.
 */
export function gceError(operation: string, failure: GoogleFailure, context: Record<string, unknown> = {}, cause?: unknown): AtomlabError {
  const kind = failureKind(failure);
  const detail = `${operation}: ${failure.reason ?? failure.status ?? 'error'}: ${failure.message}`;
  const full = { provider: 'gce', operation, httpStatus: failure.status, reason: failure.reason, ...context };
  const what = { credentials: 'Google refused the credentials', quota: 'Google Cloud quota reached', throttled: 'Google kept rate-limiting the requests', 'not-found': 'not found in Google Cloud', other: 'Google Cloud call failed' }[kind];
  return new AtomlabError(`${what} (${detail})`, { code: kind === 'not-found' ? 'NOT_FOUND' : 'FAILED', context: full, hint: HINTS[kind], cause });
}

/** A gax (google-gax REST fallback) or gaxios error as a GoogleFailure. */
export function failureOf(error: unknown): GoogleFailure {
  const shape = error as { code?: unknown; status?: unknown; httpStatusCode?: number; reason?: string; message?: string; response?: { status?: number; data?: { error?: unknown; error_description?: string } } };
  const data = shape.response?.data;
  if (data && typeof data.error === 'string') return { status: shape.response?.status, reason: data.error, message: data.error_description ?? data.error };
  const http = shape.httpStatusCode ?? (typeof shape.status === 'number' ? shape.status : shape.response?.status);
  const grpc = typeof shape.code === 'number' && shape.code < 20 ? shape.code : undefined;
  const status = http ?? (typeof shape.code === 'number' && shape.code >= 100 ? shape.code : undefined);
  return { status, grpcCode: grpc, reason: shape.reason ?? reasonIn(shape.message), message: (shape.message ?? String(error)).split('\n')[0]!.slice(0, 500) };
}

function reasonIn(message: string | undefined): string | undefined {
  return /\b(invalid_grant|QUOTA_EXCEEDED|quotaExceeded|rateLimitExceeded|RATE_LIMIT_EXCEEDED|UNAUTHENTICATED)\b/.exec(message ?? '')?.[1];
}

export function isNotFound(error: unknown): boolean {
  return error instanceof AtomlabError ? error.code === 'NOT_FOUND' : failureKind(failureOf(error)) === 'not-found';
}
