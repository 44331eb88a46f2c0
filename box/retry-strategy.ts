import type { FetchOptions, FetchResponse, RetryStrategy } from 'box-node-sdk/networking';
import { describeBoxRetry, type BoxResponseObserver, type BoxRetryObserver } from './box-retries';

/** Tuning of RetryAfterStrategy; tests shrink the delays. */
export interface RetryAfterStrategyOptions {
  /** Attempts per request, the first included (default 5). */
  maxAttempts?: number;
  /** First backoff delay before jitter (default 1 s); doubles on each attempt. */
  baseDelayMs?: number;
  /** Ceiling of one backoff delay (default 30 s). */
  maxDelayMs?: number;
  /**
   * Longest `retry-after` waited for inside a request (default 60 s). A longer one is not waited for:
   * the error reaches the caller (an activity), whose own retry policy comes back later.
   */
  maxRetryAfterMs?: number;
  /** Source of jitter in [0, 1) (default Math.random). */
  random?: () => number;
  /** The connector whose requests these are (named in retry reports). */
  connectorId?: string;
  /** Told of every retry after a 429, a 5xx or a network error, with the wait chosen (box/box-retries.ts). */
  onRetry?: BoxRetryObserver;
  /** Told of every answer (each attempt, before the retry decision): the SDK asks shouldRetry for every one. */
  onResponse?: BoxResponseObserver;
}

/**
 * Box retries done right: honours `retry-after` (seconds or an HTTP date) on 429 and 202, retries 5xx and
 * network errors with exponential backoff and jitter, refreshes once on 401, and never retries other 4xx.
 * (box-node-sdk's BoxRetryStrategy looks for 'Retry-After' in a lowercased header map, so it never sees it.)
 */
export class RetryAfterStrategy implements RetryStrategy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  private readonly random: () => number;
  private readonly connectorId: string | undefined;
  private readonly onRetry: BoxRetryObserver | undefined;
  private readonly onResponse: BoxResponseObserver | undefined;

  constructor(options: RetryAfterStrategyOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.connectorId = options.connectorId;
    this.onRetry = options.onRetry;
    this.onResponse = options.onResponse;
  }

  /** Whether to send the request again; on 401 it first refreshes the token (serialized by the auth). */
  async shouldRetry(
    fetchOptions: FetchOptions,
    response: FetchResponse,
    attemptNumber: number,
  ): Promise<boolean> {
    this.onResponse?.(fetchOptions, response);
    if (attemptNumber >= this.maxAttempts) return false;
    const status = response.status;
    // Status 0 is the SDK's mark of a network error or timeout; attemptNumber then counts those errors.
    if (status === 0 || status >= 500) return this.retryAfterMs(response) <= this.maxRetryAfterMs;
    if (status === 429) return this.retryAfterMs(response) <= this.maxRetryAfterMs;
    if (status === 202) {
      const ms = retryAfterHeaderMs(response.headers);
      return ms !== undefined && ms <= this.maxRetryAfterMs;
    }
    // 401: refresh and try again, at most twice per request (a token rejected right after a refresh
    // means the grant itself is gone, which the refresh reports).
    if (status === 401 && fetchOptions.auth !== undefined && attemptNumber <= 2) {
      await fetchOptions.auth.refreshToken(fetchOptions.networkSession);
      return true;
    }
    return false;
  }

  /**
   * Seconds to wait (the SDK's unit): `retry-after` when given, else backoff with jitter. The SDK asks
   * only once shouldRetry said yes, so this is where a retry of a failure is reported.
   */
  retryAfter(fetchOptions: FetchOptions, response: FetchResponse, attemptNumber: number): number {
    const status = response.status;
    if (status === 401 && retryAfterHeaderMs(response.headers) === undefined) return 0;
    const waitMs = retryAfterHeaderMs(response.headers) ?? this.backoffMs(attemptNumber);
    if (this.onRetry && (status === 0 || status === 429 || status >= 500)) {
      this.onRetry(describeBoxRetry(this.connectorId, fetchOptions, response, waitMs, attemptNumber));
    }
    return waitMs / 1000;
  }

  /** Exponential backoff from baseDelayMs, capped, with jitter between 50% and 100% of the step. */
  backoffMs(attemptNumber: number): number {
    const step = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, attemptNumber - 1));
    return step * (0.5 + this.random() / 2);
  }

  private retryAfterMs(response: FetchResponse): number {
    return retryAfterHeaderMs(response.headers) ?? 0;
  }
}

/** The `retry-after` header in milliseconds (from seconds or an HTTP date), whatever its case; else undefined. */
export function retryAfterHeaderMs(
  headers: { readonly [key: string]: string } | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const name = Object.keys(headers).find((k) => k.toLowerCase() === 'retry-after');
  const value = name === undefined ? undefined : headers[name]?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
