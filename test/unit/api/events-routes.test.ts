import type { EventView } from '../../../api/events-routes';
import { EventLogRepository, type NewEvent } from '../../../store/event-log-repository';
import { ConnectorsRepository } from '../../../store/connectors-repository';
import { AUTH, startTestApi, type TestApi } from '../../helpers/api-server';

const BASE = Date.parse('2026-05-01T00:00:00Z');

function activity(i: number): NewEvent {
  const type = (['EDIT', 'PREVIEW', 'SHARE', 'LOGIN'] as const)[i % 4]!;
  return {
    eventId: `e${String(i).padStart(3, '0')}`,
    eventType: type,
    kind: ({ EDIT: 'content', PREVIEW: 'view', SHARE: 'sharing' } as const)[type as 'EDIT'],
    fileId: type === 'LOGIN' ? undefined : `${100 + (i % 3)}`,
    actorId: i % 2 ? '7' : '8',
    actorLogin: i % 2 ? 'ann@acme.test' : 'bob@acme.test',
    ipAddress: '10.0.0.1',
    occurredAt: new Date(BASE + i * 3_600_000).toISOString(),
    source: 'event-log',
    rawJson: JSON.stringify({ event_id: `e${i}`, event_type: type }),
  };
}

describe('GET /api/connectors/:id/events', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    const { store } = api;
    const connectors = new ConnectorsRepository(store.db);
    await connectors.create({
      id: 'c1',
      instanceName: 'Acme',
      dataCenter: 'US1',
      status: 'Connected',
      statusMessage: '',
    });
    await new EventLogRepository(store.db).insertPage(
      'c1',
      Array.from({ length: 60 }, (_, i) => activity(i)),
    );
  });
  afterAll(() => api.close());

  const get = async (query = '', id = 'c1') => {
    const res = await api.app.inject({
      method: 'GET',
      url: `/api/connectors/${id}/events${query}`,
      headers: AUTH,
    });
    return {
      status: res.statusCode,
      body: res.json<{ items: EventView[]; nextCursor?: string } & { type?: string; detail?: string }>(),
    };
  };

  it('lists the newest activities first, without the raw event unless asked', async () => {
    const { status, body } = await get('?limit=2');
    expect(status).toBe(200);
    expect(body.items.map((a) => a.eventId)).toEqual(['e059', 'e058']);
    expect(body.items[0]).toEqual({
      eventId: 'e059',
      eventType: 'LOGIN',
      kind: null,
      fileId: null,
      actor: { id: '7', login: 'ann@acme.test' },
      ipAddress: '10.0.0.1',
      occurredAt: new Date(BASE + 59 * 3_600_000).toISOString(),
      source: 'event-log',
    });
    expect(body.nextCursor).toEqual(expect.any(String));
    const raw = await get('?limit=1&raw=true');
    expect(raw.body.items[0]!.raw).toEqual({ event_id: 'e59', event_type: 'LOGIN' });
  });

  it('pages with the cursor through every activity once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const { body } = await get(`?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...body.items.map((a) => a.eventId));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
  });

  it('filters by type, kind, file, user and time window', async () => {
    const ids = async (query: string) => (await get(`${query}&limit=1000`)).body.items.map((a) => a.eventId);
    expect(await ids('?type=EDIT,SHARE')).toHaveLength(30);
    expect(await ids('?kind=view')).toHaveLength(15);
    expect(await ids('?fileId=101')).toEqual(expect.arrayContaining(['e001', 'e010']));
    expect((await get('?fileId=101&limit=1000')).body.items.every((a) => a.fileId === '101')).toBe(true);
    expect(await ids('?user=ann@acme.test')).toHaveLength(30);
    expect(await ids('?user=8')).toHaveLength(30);
    // from inclusive, to exclusive; a date alone means midnight UTC.
    expect(await ids('?from=2026-05-01T10:00:00Z&to=2026-05-01T12:00:00%2B00:00&order=asc')).toEqual([
      'e010',
      'e011',
    ]);
    expect(await ids('?from=2026-05-02&to=2026-05-03')).toHaveLength(24);
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=1001', 'limit'],
    ['?limit=ten', 'limit'],
    ['?kind=secret', 'kind'],
    ['?type=EDIT;DROP', 'type'],
    ['?from=yesterday', 'from'],
    ['?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z', 'to'],
    ['?order=sideways', 'order'],
    ['?raw=yes', 'raw'],
    ['?cursor=not-a-cursor', 'cursor'],
    ['?colour=blue', 'colour'],
  ])('answers 400 naming the parameter for %s', async (query, name) => {
    const { status, body } = await get(query);
    expect(status).toBe(400);
    expect(body.type).toBe('/problems/invalid-request');
    expect(body.detail).toContain(name);
  });

  it('answers 404 for an unknown connector', async () => {
    const { status, body } = await get('', 'nope');
    expect(status).toBe(404);
    expect(body).toMatchObject({
      type: '/problems/not-found',
      status: 404,
      detail: "No connector with id 'nope'.",
    });
  });
});
