import type { Authentication, FetchOptions, FetchResponse } from 'box-node-sdk/networking';
import { RetryAfterStrategy, retryAfterHeaderMs } from '../../../box/retry-strategy';

const options = (auth?: Partial<Authentication>) =>
  ({ url: 'https://box/2.0/users/me', method: 'GET', auth }) as FetchOptions;
const response = (status: number, headers: Record<string, string> = {}): FetchResponse => ({
  status,
  headers,
});
const strategy = (o: ConstructorParameters<typeof RetryAfterStrategy>[0] = {}) =>
  new RetryAfterStrategy({ random: () => 0.5, ...o });

describe('RetryAfterStrategy', () => {
  it('retries a 429 after the retry-after seconds Box asked for', async () => {
    const s = strategy();
    const r = response(429, { 'retry-after': '7' });
    expect(await s.shouldRetry(options(), r, 1)).toBe(true);
    expect(s.retryAfter(options(), r, 1)).toBe(7);
  });

  it('retries a 202 with retry-after (download not ready) and waits as told', async () => {
    const s = strategy();
    const r = response(202, { 'retry-after': '2' });
    expect(await s.shouldRetry(options(), r, 1)).toBe(true);
    expect(s.retryAfter(options(), r, 1)).toBe(2);
    expect(await s.shouldRetry(options(), response(202), 1)).toBe(false);
  });

  it('does not wait inside a request for a retry-after longer than its ceiling', async () => {
    const s = strategy({ maxRetryAfterMs: 10_000 });
    expect(await s.shouldRetry(options(), response(429, { 'retry-after': '3600' }), 1)).toBe(false);
  });

  it('retries 5xx and network errors with growing, capped backoff', async () => {
    const s = strategy({ baseDelayMs: 100, maxDelayMs: 500 });
    expect(await s.shouldRetry(options(), response(503), 1)).toBe(true);
    expect(await s.shouldRetry(options(), response(0), 1)).toBe(true);
    const delays = [1, 2, 3, 4, 5].map((n) => s.retryAfter(options(), response(500), n));
    expect(delays).toEqual([0.075, 0.15, 0.3, 0.375, 0.375]);
  });

  it('keeps jitter between half and all of the backoff step', () => {
    expect(new RetryAfterStrategy({ baseDelayMs: 1000, random: () => 0 }).backoffMs(1)).toBe(500);
    expect(new RetryAfterStrategy({ baseDelayMs: 1000, random: () => 0.999999 }).backoffMs(1)).toBeCloseTo(
      1000,
      0,
    );
  });

  it('stops after maxAttempts', async () => {
    const s = strategy({ maxAttempts: 3 });
    expect(await s.shouldRetry(options(), response(500), 2)).toBe(true);
    expect(await s.shouldRetry(options(), response(500), 3)).toBe(false);
    expect(await s.shouldRetry(options(), response(429, { 'retry-after': '1' }), 3)).toBe(false);
  });

  it.each([400, 403, 404, 409, 412])('never retries a %i', async (status) => {
    expect(await strategy().shouldRetry(options(), response(status), 1)).toBe(false);
  });

  it('refreshes the token and retries a 401, at most twice per request', async () => {
    const refreshToken = jest.fn(() => Promise.resolve({}));
    const s = strategy();
    expect(await s.shouldRetry(options({ refreshToken }), response(401), 1)).toBe(true);
    expect(refreshToken).toHaveBeenCalledTimes(1);
    expect(s.retryAfter(options(), response(401), 1)).toBe(0);
    expect(await s.shouldRetry(options({ refreshToken }), response(401), 3)).toBe(false);
    expect(await s.shouldRetry(options(), response(401), 1)).toBe(false);
  });

  it('lets a failed refresh reach the caller', async () => {
    const refreshToken = () => Promise.reject(new Error('rejected'));
    await expect(strategy().shouldRetry(options({ refreshToken }), response(401), 1)).rejects.toThrow(
      'rejected',
    );
  });
});

describe('retryAfterHeaderMs', () => {
  it('reads seconds, fractions and HTTP dates, whatever the header case', () => {
    expect(retryAfterHeaderMs({ 'retry-after': '3' })).toBe(3000);
    expect(retryAfterHeaderMs({ 'Retry-After': '1.5' })).toBe(1500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterHeaderMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(retryAfterHeaderMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterHeaderMs({})).toBeUndefined();
  });
});
