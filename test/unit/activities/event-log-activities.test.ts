import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import type { BoxClientPool } from '../../../box/box-client-pool';
import {
  MAX_EMPTY_PAGES_IN_A_ROW,
  createEventLogActivities,
  type BackfillHeartbeat,
} from '../../../activities/event-log-activities';
import { EventLogRepository } from '../../../store/event-log-repository';
import { openStore, type Store } from '../../../store/database';

const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

const WINDOW = { createdAfter: '2026-05-01T00:00:00.000Z', createdBefore: '2026-05-08T00:00:00.000Z' };

function boxEvent(id: string, createdAt: string, type = 'EDIT') {
  return {
    type: 'event',
    event_id: id,
    event_type: type,
    created_at: createdAt,
    created_by: { type: 'user', id: '7', name: 'Ann', login: 'ann@acme.test' },
    ip_address: '10.1.2.3',
    session_id: null,
    source: { item_type: 'file', item_id: `f-${id}`, item_name: 'a.txt' },
    additional_details: null,
  };
}

interface Page {
  entries: unknown[];
  next_stream_position?: string | number;
}

/** A Box event log scripted by position: each request returns the page stored under the position sent. */
function scriptedBox(pages: Record<string, Page | Error>) {
  const requests: Array<Record<string, unknown>> = [];
  const getEvents = (params: { streamPosition?: string } & Record<string, unknown>) => {
    requests.push(params);
    const page = pages[params.streamPosition ?? 'start'];
    if (page === undefined) throw new Error(`no page scripted for ${params.streamPosition}`);
    if (page instanceof Error) return Promise.reject(page);
    return Promise.resolve({
      nextStreamPosition: page.next_stream_position,
      entries: page.entries,
      rawData: { chunk_size: page.entries.length, ...page },
    });
  };
  const clients = { get: () => ({ events: { getEvents } }) } as unknown as BoxClientPool;
  return { clients, requests };
}

describe('importEventPages', () => {
  let store: Store;
  let activityLog: EventLogRepository;
  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    activityLog = new EventLogRepository(store.db);
  });
  afterEach(() => store.close());

  async function run(
    pages: Record<string, Page | Error>,
    options: { heartbeatDetails?: BackfillHeartbeat; streamPosition?: string; maxPages?: number } = {},
  ) {
    const box = scriptedBox(pages);
    const { importEventPages } = createEventLogActivities({
      clients: box.clients,
      activityLog,
      budget: { maxPages: options.maxPages ?? 100 },
    });
    const env = new MockActivityEnvironment(
      { heartbeatDetails: options.heartbeatDetails },
      { logger: quiet },
    );
    const heartbeats: BackfillHeartbeat[] = [];
    env.on('heartbeat', (d: BackfillHeartbeat) => heartbeats.push(d));
    const result: Awaited<ReturnType<typeof importEventPages>> = await env.run(() =>
      importEventPages({
        connectorId: 'c1',
        dataCenter: 'US1',
        ...WINDOW,
        streamPosition: options.streamPosition,
      }),
    );
    return { result, heartbeats, requests: box.requests };
  }

  it('follows short pages, empty pages with a new position, and numeric positions to the end', async () => {
    const { result, heartbeats, requests } = await run({
      start: { entries: [boxEvent('a', '2026-05-01T00:00:00+00:00')], next_stream_position: '10' },
      '10': { entries: [], next_stream_position: 20 }, // empty, but a new position: not the end
      '20': { entries: [boxEvent('b', '2026-05-02T00:00:00Z')], next_stream_position: 30 },
      '30': { entries: [], next_stream_position: '30' }, // the position sent: the end
    });
    expect(result).toEqual({ imported: 2, pages: 4, nextStreamPosition: '30', done: true });
    expect(requests.map((r) => r.streamPosition)).toEqual([undefined, '10', '20', '30']);
    expect(requests[0]).toMatchObject({ streamType: 'admin_logs', limit: 500 });
    expect(heartbeats.map((h) => h.streamPosition)).toEqual(['10', '20', '30', '30']);
    expect(await activityLog.count('c1')).toBe(2);
  });

  it('asks Box for the window in whole seconds and imports nothing outside it', async () => {
    const { result, requests } = await run({
      start: {
        entries: [
          boxEvent('early', '2026-04-30T23:59:59+00:00'),
          boxEvent('first', '2026-05-01T00:00:00+00:00'),
          boxEvent('last', '2026-05-07T23:59:59+00:00'),
          boxEvent('late', '2026-05-08T00:00:00+00:00'),
        ],
        next_stream_position: '1',
      },
      '1': { entries: [], next_stream_position: '1' },
    });
    expect(result.imported).toBe(2);
    const ids = (await activityLog.query('c1', { order: 'asc' })).items.map((r) => r.event_id);
    expect(ids).toEqual(['first', 'last']);
    const after = requests[0]!.createdAfter as { value: Date };
    expect(after.value.toISOString()).toBe('2026-05-01T00:00:00.000Z');
  });

  it('an empty first page ends the window when Box gives no usable position', async () => {
    for (const next of [undefined, '0']) {
      const { result } = await run({
        start: { entries: [], ...(next !== undefined && { next_stream_position: next }) },
      });
      expect(result).toMatchObject({ imported: 0, pages: 1, done: true });
    }
  });

  it('gives up on an endless run of empty pages with ever new positions', async () => {
    const pages: Record<string, Page> = { start: { entries: [], next_stream_position: '1' } };
    for (let i = 1; i <= MAX_EMPTY_PAGES_IN_A_ROW; i++)
      pages[String(i)] = { entries: [], next_stream_position: String(i + 1) };
    const { result } = await run(pages);
    expect(result).toMatchObject({ done: true, pages: MAX_EMPTY_PAGES_IN_A_ROW });
  });

  it('returns after its page budget with the next position, not done', async () => {
    const { result } = await run(
      {
        start: { entries: [boxEvent('a', '2026-05-01T01:00:00Z')], next_stream_position: '1' },
        '1': { entries: [boxEvent('b', '2026-05-01T02:00:00Z')], next_stream_position: '2' },
      },
      { maxPages: 2 },
    );
    expect(result).toEqual({ imported: 2, pages: 2, nextStreamPosition: '2', done: false });
  });

  it('a retried attempt resumes from the heartbeat with its counts, and a page stored twice counts once', async () => {
    const pages = {
      '5': { entries: [boxEvent('a', '2026-05-01T01:00:00Z')], next_stream_position: '6' },
      '6': { entries: [boxEvent('b', '2026-05-01T02:00:00Z')], next_stream_position: '7' },
      '7': { entries: [], next_stream_position: '7' },
    };
    // The first attempt stored page 6 but died before its heartbeat reached the server.
    await activityLog.insertPage('c1', [
      {
        eventId: 'b',
        eventType: 'EDIT',
        occurredAt: '2026-05-01T02:00:00Z',
        source: 'event-log',
        rawJson: '{}',
      },
    ]);
    const { result, requests } = await run(pages, {
      streamPosition: '5',
      heartbeatDetails: { streamPosition: '6', imported: 1, pages: 1 },
    });
    expect(requests.map((r) => r.streamPosition)).toEqual(['6', '7']);
    expect(result).toEqual({ imported: 2, pages: 3, nextStreamPosition: '7', done: true });
    // Only 'b' is stored: page 5 ('a') was not read again, the attempt resumed at position 6.
    expect(await activityLog.count('c1')).toBe(1);
  });

  it('turns a Box error into an ApplicationFailure carrying retry-after as the next retry delay', async () => {
    const { BoxApiError } = await import('box-node-sdk/box');
    const tooMany = new BoxApiError({
      message: 'rate limited',
      timestamp: new Date().toISOString(),
      requestInfo: { method: 'GET', url: 'https://api.box.com/2.0/events', queryParams: {}, headers: {} },
      responseInfo: {
        statusCode: 429,
        headers: { 'retry-after': '7' },
        body: { type: 'error', status: 429, code: 'rate_limit_exceeded' },
        rawBody: '',
        code: 'rate_limit_exceeded',
        contextInfo: {},
        requestId: 'r',
        helpUrl: '',
      },
    });
    const failure = await run({ start: tooMany }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'BoxRateLimited', nonRetryable: false, nextRetryDelay: 7000 });
  });

  it('refuses a stream that does not advance', async () => {
    const failure = await run({
      start: { entries: [boxEvent('a', '2026-05-01T01:00:00Z')], next_stream_position: '1' },
      '1': { entries: [boxEvent('b', '2026-05-01T02:00:00Z')], next_stream_position: '1' },
    }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ type: 'BoxEventStreamStuck', nonRetryable: true });
  });

  it('heartbeats at least every 5 s while a page takes long (a dead worker is noticed within the heartbeat timeout)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      // The first page takes 13 s (a slow Box answering through its retries); the second ends the window.
      const page = { nextStreamPosition: '1', entries: [], rawData: { chunk_size: 0, entries: [] } };
      let calls = 0;
      const slow = () =>
        calls++ === 0
          ? new Promise((resolve) => setTimeout(() => resolve(page), 13_000))
          : Promise.resolve(page);
      const clients = { get: () => ({ events: { getEvents: slow } }) } as unknown as BoxClientPool;
      const { importEventPages } = createEventLogActivities({ clients, activityLog });
      const env = new MockActivityEnvironment(undefined, { logger: quiet });
      const beats: number[] = [];
      env.on('heartbeat', () => beats.push(Date.now()));
      const started = Date.now();
      const done = env.run(() => importEventPages({ connectorId: 'c1', dataCenter: 'US1', ...WINDOW }));
      for (let t = 0; t < 14_000; t += 500) await jest.advanceTimersByTimeAsync(500);
      await done;
      const gaps = [started, ...beats].slice(1).map((b, i) => b - [started, ...beats][i]!);
      expect(beats.filter((b) => b - started < 13_000).length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(5_000);
    } finally {
      jest.useRealTimers();
    }
  });
});
