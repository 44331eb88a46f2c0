import type { FetchOptions, FetchResponse } from 'box-node-sdk/networking';
import { describeBoxRetry, endpointOf } from '../../../box/box-retries';
import { RetryAfterStrategy } from '../../../box/retry-strategy';
import type { BoxRetry } from '../../../box/box-retries';

const request = (url: string, headers: Record<string, string> = {}) =>
  ({ url, method: 'get', headers }) as unknown as FetchOptions;
const answer = (status: number, headers: Record<string, string> = {}): FetchResponse => ({ status, headers });

describe('Box retry reports', () => {
  it.each([
    ['https://api.box.com/2.0/folders/123/items?limit=1000&marker=abc', '/2.0/folders/:id/items'],
    ['https://api.box.com/2.0/files/99887766/content', '/2.0/files/:id/content'],
    ['https://api.box.com/2.0/users/me', '/2.0/users/me'],
    ['http://127.0.0.1:9/2.0/events?stream_type=admin_logs', '/2.0/events'],
    ['/2.0/webhooks/0123456789abcdef0123', '/2.0/webhooks/:id'],
  ])('names %s as the endpoint %s', (url, endpoint) => {
    expect(endpointOf(url)).toBe(endpoint);
  });

  it('names the As-User user, Box request id, status and rounded wait', () => {
    const retry = describeBoxRetry(
      'c-1',
      request('https://api.box.com/2.0/folders/0/items', { 'As-User': '4242' }),
      answer(429, { 'box-request-id': 'r-77', 'retry-after': '3' }),
      2999.6,
      1,
    );
    expect(retry).toEqual({
      connectorId: 'c-1',
      user: '4242',
      method: 'GET',
      endpoint: '/2.0/folders/:id/items',
      status: 429,
      waitMs: 3000,
      attempt: 1,
      requestId: 'r-77',
    });
  });

  it('the strategy reports 429, 5xx and network errors with the wait it chose, not 401 or 202', () => {
    const seen: BoxRetry[] = [];
    const strategy = new RetryAfterStrategy({
      connectorId: 'c-2',
      random: () => 0.5,
      baseDelayMs: 100,
      onRetry: (r) => seen.push(r),
    });
    const url = 'https://api.box.com/2.0/users/me';
    expect(strategy.retryAfter(request(url), answer(429, { 'retry-after': '2' }), 1)).toBe(2);
    expect(strategy.retryAfter(request(url), answer(503), 2)).toBe(0.15);
    expect(strategy.retryAfter(request(url), answer(0), 1)).toBe(0.075);
    strategy.retryAfter(request(url), answer(401), 1);
    strategy.retryAfter(request(url), answer(202, { 'retry-after': '1' }), 1);
    expect(seen.map((r) => [r.status, r.waitMs, r.attempt, r.connectorId])).toEqual([
      [429, 2000, 1, 'c-2'],
      [503, 150, 2, 'c-2'],
      [0, 75, 1, 'c-2'],
    ]);
  });
});
