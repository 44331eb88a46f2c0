import { createHmac, timingSafeEqual } from 'node:crypto';

/** A delivery older than this is refused (Box's own SDK default; docs/webhooks.md). */
export const WEBHOOK_MAX_AGE_MS = 10 * 60_000;
/** A delivery timestamp this far ahead of our clock is still accepted (clock skew between Box and us). */
export const WEBHOOK_MAX_SKEW_MS = 60_000;

/** Why a delivery's signature was refused. */
export type SignatureProblem =
  | 'missing-timestamp'
  | 'bad-timestamp'
  | 'stale'
  | 'future'
  | 'unsupported-signature'
  | 'missing-signature'
  | 'bad-signature';

/** The outcome of verifyBoxSignature. */
export type SignatureCheck =
  { ok: true; key: 'primary' | 'secondary' } | { ok: false; problem: SignatureProblem };

/** What verifyBoxSignature needs. */
export interface SignatureInput {
  /** The request body exactly as received. */
  body: Buffer;
  /** Request headers (lower-case names, as Node gives them). */
  headers: Record<string, string | string[] | undefined>;
  primaryKey: string;
  secondaryKey?: string;
  /** Our clock, in epoch milliseconds. */
  now: number;
  maxAgeMs?: number;
  maxSkewMs?: number;
}

/**
 * Checks a Box webhook delivery: `box-signature-primary` against the primary key or
 * `box-signature-secondary` against the secondary key (either one passing is enough, so keys can be rotated
 * one at a time), each base64 HMAC-SHA256 over the body bytes then the `box-delivery-timestamp` bytes,
 * compared in constant time; and the timestamp no older than `maxAgeMs` nor further ahead than `maxSkewMs`.
 */
export function verifyBoxSignature(input: SignatureInput): SignatureCheck {
  const header = (name: string) => {
    const v = input.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const timestamp = header('box-delivery-timestamp');
  if (!timestamp) return { ok: false, problem: 'missing-timestamp' };
  const at = Date.parse(timestamp);
  if (Number.isNaN(at)) return { ok: false, problem: 'bad-timestamp' };
  if (input.now - at > (input.maxAgeMs ?? WEBHOOK_MAX_AGE_MS)) return { ok: false, problem: 'stale' };
  if (at - input.now > (input.maxSkewMs ?? WEBHOOK_MAX_SKEW_MS)) return { ok: false, problem: 'future' };
  const version = header('box-signature-version');
  const algorithm = header('box-signature-algorithm');
  if ((version !== undefined && version !== '1') || (algorithm !== undefined && algorithm !== 'HmacSHA256'))
    return { ok: false, problem: 'unsupported-signature' };
  const primary = header('box-signature-primary');
  const secondary = header('box-signature-secondary');
  if (!primary && !secondary) return { ok: false, problem: 'missing-signature' };
  if (primary && signatureMatches(input.body, timestamp, input.primaryKey, primary))
    return { ok: true, key: 'primary' };
  if (
    secondary &&
    input.secondaryKey &&
    signatureMatches(input.body, timestamp, input.secondaryKey, secondary)
  )
    return { ok: true, key: 'secondary' };
  return { ok: false, problem: 'bad-signature' };
}

/** Base64 HMAC-SHA256 over the body bytes, then the timestamp bytes (Box's signature version 1). */
export function boxSignature(body: Buffer | string, timestamp: string, key: string): string {
  return createHmac('sha256', key).update(body).update(timestamp, 'utf8').digest('base64');
}

function signatureMatches(body: Buffer, timestamp: string, key: string, given: string): boolean {
  const expected = Buffer.from(boxSignature(body, timestamp, key), 'base64');
  const actual = Buffer.from(given, 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
