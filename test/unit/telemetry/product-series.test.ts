import type { FetchOptions, FetchResponse } from 'box-node-sdk/networking';
import { countBoxRequest, endpointOf } from '../../../box/box-retries';
import { RetryAfterStrategy } from '../../../box/retry-strategy';
import { countJudged, observeEventToResult, observePassCompleted } from '../../../activities/scan-metrics';
import {
  boxRequests,
  fileEventToResultSeconds,
  filesJudged,
  filesWalked,
  findingsOpened,
  scanPassSeconds,
} from '../../../telemetry/metrics';
import type { FindingRow } from '../../../store/findings-repository';
import type { FileEvent } from '../../../domain/file-event';

type Metric = { get(): Promise<{ values: Array<{ value: number; labels: object; metricName?: string }> }> };

/** The value of the series of `metric` with exactly these labels (0 when absent). */
async function valueOf(metric: Metric, labels: Record<string, string> = {}, name?: string): Promise<number> {
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      (name === undefined || v.metricName === name) &&
      JSON.stringify(Object.entries(v.labels).sort()) === JSON.stringify(Object.entries(labels).sort()),
  );
  return found?.value ?? 0;
}

const request = (url: string, method = 'get') => ({ url, method, headers: {} }) as unknown as FetchOptions;
const answer = (status: number, headers: Record<string, string> = {}): FetchResponse => ({ status, headers });

describe('product series', () => {
  it.each([
    ['https://dl.boxcloud.com/d/1/b1!Xk3-qVZ_aAbBcC.dDeE/download', '/d/:id/:id/download'],
    ['http://127.0.0.1:8600/d/1/3q2-7wEAAAAAAAAAAAAAAAAA/download', '/d/:id/:id/download'],
    ['https://api.box.com/2.0/folders/0/items', '/2.0/folders/:id/items'],
    ['https://api.box.com/oauth2/token', '/oauth2/token'],
  ])('endpoint labels fold ids and download tokens: %s -> %s', (url, endpoint) => {
    expect(endpointOf(url)).toBe(endpoint);
  });

  it('every Box answer is counted by endpoint and status, the retried ones and the last one alike', async () => {
    const labels200 = { endpoint: 'GET /2.0/users', status: '200' };
    const labels429 = { endpoint: 'GET /2.0/users', status: '429' };
    const [ok, limited] = [await valueOf(boxRequests, labels200), await valueOf(boxRequests, labels429)];
    const strategy = new RetryAfterStrategy({ onResponse: countBoxRequest, maxAttempts: 3 });
    const url = 'https://api.box.com/2.0/users?limit=1000';
    expect(await strategy.shouldRetry(request(url), answer(429, { 'retry-after': '0' }), 1)).toBe(true);
    expect(await strategy.shouldRetry(request(url), answer(429, { 'retry-after': '0' }), 2)).toBe(true);
    expect(await strategy.shouldRetry(request(url), answer(200), 3)).toBe(false);
    // The attempt past the maximum is still an answer Box gave.
    expect(await strategy.shouldRetry(request(url), answer(429, { 'retry-after': '0' }), 3)).toBe(false);
    expect(await valueOf(boxRequests, labels200)).toBe(ok + 1);
    expect(await valueOf(boxRequests, labels429)).toBe(limited + 3);
  });

  it('a committed page counts walked files once, inspected and unchanged by lane, and each finding opened', async () => {
    const walked = await valueOf(filesWalked);
    const inspected = await valueOf(filesJudged, { lane: 'priority', result: 'inspected' });
    const pci = await valueOf(findingsOpened, { policy: 'pci-card-numbers', severity: 'high' });
    const opened = [{ policy_id: 'pci-card-numbers', severity: 'high' }] as FindingRow[];
    countJudged('scan', { filesSeen: 5, inspected: 4, skippedUnchanged: 3, findings: 1 }, opened);
    countJudged('priority', { filesSeen: 0, inspected: 2, skippedUnchanged: 0, findings: 0 }, []);
    expect(await valueOf(filesWalked)).toBe(walked + 5);
    expect(await valueOf(filesJudged, { lane: 'priority', result: 'inspected' })).toBe(inspected + 2);
    expect(await valueOf(findingsOpened, { policy: 'pci-card-numbers', severity: 'high' })).toBe(pci + 1);
  });

  it("the event-to-result latency runs from the event's time to the stored result, never below zero", async () => {
    const name = 'connect_box_file_event_to_result_seconds';
    const count = () => valueOf(fileEventToResultSeconds, { source: 'event-stream' }, `${name}_count`);
    const sum = () => valueOf(fileEventToResultSeconds, { source: 'event-stream' }, `${name}_sum`);
    const [c0, s0] = [await count(), await sum()];
    const event = (occurredAt: string): FileEvent => ({
      fileId: '1',
      kind: 'content',
      eventType: 'ITEM_UPLOAD',
      occurredAt,
      source: 'event-stream',
    });
    const storedAt = Date.parse('2026-12-03T10:00:05Z');
    observeEventToResult([event('2026-12-03T10:00:00Z'), event('2026-12-03T10:00:07Z')], storedAt);
    expect(await count()).toBe(c0 + 2);
    expect(await sum()).toBeCloseTo(s0 + 5);
  });

  it('a finished pass is observed with its duration', async () => {
    const name = 'connect_box_scan_pass_seconds';
    const [c0, s0] = [
      await valueOf(scanPassSeconds, {}, `${name}_count`),
      await valueOf(scanPassSeconds, {}, `${name}_sum`),
    ];
    observePassCompleted('2026-12-03T10:00:00.000Z', '2026-12-03T10:01:30.000Z');
    expect(await valueOf(scanPassSeconds, {}, `${name}_count`)).toBe(c0 + 1);
    expect(await valueOf(scanPassSeconds, {}, `${name}_sum`)).toBeCloseTo(s0 + 90);
  });
});
