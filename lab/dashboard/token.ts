import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh random token for one dashboard: 32 bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison (of digests, so the lengths never leak either). */
export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
