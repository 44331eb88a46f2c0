import { EventLogRepository, InvalidCursorError, type NewEvent } from '../../store/event-log-repository';
import { migrateToLatest } from '../../store/migrate';
import { DIALECTS, createTestStore } from '../helpers/stores';

const BASE = Date.parse('2026-03-01T00:00:00Z');

/** Event i: one per minute, every third one by bob, file f(i % 5), types cycling; two share each second minute. */
function event(i: number, extra: Partial<NewEvent> = {}): NewEvent {
  const types = ['EDIT', 'PREVIEW', 'SHARE', 'LOGIN'] as const;
  const type = types[i % types.length]!;
  const bob = i % 3 === 0;
  return {
    eventId: `ev-${String(i).padStart(4, '0')}`,
    eventType: type,
    kind:
      type === 'EDIT' ? 'content' : type === 'PREVIEW' ? 'view' : type === 'SHARE' ? 'sharing' : undefined,
    fileId: type === 'LOGIN' ? undefined : `f${i % 5}`,
    actorId: bob ? '22' : '11',
    actorLogin: bob ? 'bob@acme.test' : 'ann@acme.test',
    ipAddress: `10.0.0.${i % 250}`,
    // Box writes +00:00 and whole seconds; pairs of events share a timestamp (keyset ties).
    occurredAt: new Date(BASE + Math.floor(i / 2) * 60_000).toISOString().replace('.000Z', '+00:00'),
    source: 'event-log',
    rawJson: JSON.stringify({ event_id: `ev-${i}`, event_type: type, n: i }),
    ...extra,
  };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: event log store`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let log: EventLogRepository;
    const all = Array.from({ length: 250 }, (_, i) => event(i));
    beforeAll(async () => {
      store = await createTestStore(dialect);
      log = new EventLogRepository(store.db);
    });
    afterAll(() => store.dispose());

    it('inserts a page and says how many events were new; the same page again adds nothing', async () => {
      expect(await log.insertPage('c1', all.slice(0, 200))).toBe(200);
      expect(await log.insertPage('c1', all.slice(0, 200))).toBe(0);
      // A page overlapping what is stored adds only the new events.
      expect(await log.insertPage('c1', all.slice(150, 250))).toBe(50);
      expect(await log.count('c1')).toBe(250);
    });

    it('keeps connectors apart: the same event id belongs to each connector once', async () => {
      expect(await log.insertPage('c2', [event(1), event(2, { source: 'webhook' })])).toBe(2);
      expect(await log.insertPage('c2', [event(1)])).toBe(0);
      expect(await log.count('c2')).toBe(2);
      expect(await log.count('c2', 'webhook')).toBe(1);
      expect(await log.count('c1')).toBe(250);
    });

    it('an empty page is fine', async () => {
      expect(await log.insertPage('c1', [])).toBe(0);
    });

    it('stores the normalized fields and the raw event JSON', async () => {
      const { items } = await log.query('c1', { fileId: 'f0', types: ['EDIT'], limit: 1, order: 'asc' });
      expect(items[0]).toMatchObject({
        connector_id: 'c1',
        event_id: 'ev-0000',
        event_type: 'EDIT',
        kind: 'content',
        file_id: 'f0',
        actor_id: '22',
        actor_login: 'bob@acme.test',
        ip_address: '10.0.0.0',
        occurred_at: '2026-03-01T00:00:00.000Z',
        source: 'event-log',
      });
      expect(JSON.parse(items[0]!.raw_json)).toEqual({ event_id: 'ev-0', event_type: 'EDIT', n: 0 });
      const login = await log.query('c1', { types: ['LOGIN'], limit: 1 });
      expect(login.items[0]).toMatchObject({ kind: null, file_id: null });
    });

    it('pages through everything with the cursor, newest first, each event exactly once', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await log.query('c1', { limit: 7, cursor });
        seen.push(...page.items.map((r) => `${r.occurred_at}|${r.event_id}`));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(Math.ceil(250 / 7));
      expect(new Set(seen).size).toBe(250);
      expect(seen).toEqual([...seen].sort().reverse());
    });

    it('pages oldest first with order asc', async () => {
      const first = await log.query('c1', { limit: 3, order: 'asc' });
      expect(first.items.map((r) => r.event_id)).toEqual(['ev-0000', 'ev-0001', 'ev-0002']);
      const second = await log.query('c1', { limit: 3, order: 'asc', cursor: first.nextCursor });
      expect(second.items.map((r) => r.event_id)).toEqual(['ev-0003', 'ev-0004', 'ev-0005']);
    });

    it('filters by type, kind, file, user (id or login) and time, together with paging', async () => {
      const expected = (pred: (e: NewEvent) => boolean) =>
        all
          .filter(pred)
          .map((e) => e.eventId)
          .sort();
      const ids = async (q: Parameters<EventLogRepository['query']>[1]) => {
        const out: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await log.query('c1', { ...q, limit: 10, cursor });
          out.push(...page.items.map((r) => r.event_id));
          cursor = page.nextCursor;
        } while (cursor);
        return out.sort();
      };
      expect(await ids({ types: ['SHARE', 'EDIT'] })).toEqual(
        expected((e) => e.eventType === 'SHARE' || e.eventType === 'EDIT'),
      );
      expect(await ids({ kinds: ['view'] })).toEqual(expected((e) => e.kind === 'view'));
      expect(await ids({ fileId: 'f3' })).toEqual(expected((e) => e.fileId === 'f3'));
      expect(await ids({ user: '22' })).toEqual(expected((e) => e.actorId === '22'));
      expect(await ids({ user: 'bob@acme.test' })).toEqual(expected((e) => e.actorId === '22'));
      // from inclusive, to exclusive.
      const from = '2026-03-01T00:10:00Z';
      const to = '2026-03-01T00:20:00+00:00';
      const inWindow = (e: NewEvent) =>
        Date.parse(e.occurredAt) >= Date.parse(from) && Date.parse(e.occurredAt) < Date.parse(to);
      expect(await ids({ from, to })).toEqual(expected(inWindow));
      expect(await ids({ from, to })).toHaveLength(20);
      expect(await ids({ from, to, user: 'ann@acme.test', fileId: 'f1' })).toEqual(
        expected((e) => inWindow(e) && e.actorId === '11' && e.fileId === 'f1'),
      );
      expect(await ids({ fileId: 'no-such-file' })).toEqual([]);
    });

    it('pages hold 100 rows by default and 1,000 at most', async () => {
      expect((await log.query('c1')).items).toHaveLength(100);
      await log.insertPage(
        'c3',
        Array.from({ length: 1100 }, (_, i) => event(i)),
      );
      const big = await log.query('c3', { limit: 5000 });
      expect(big.items).toHaveLength(1000);
      expect(big.nextCursor).toBeDefined();
      expect((await log.query('c3', { cursor: big.nextCursor, limit: 1000 })).items).toHaveLength(100);
    });

    it('refuses a cursor it did not make, or one made for the other order', async () => {
      await expect(log.query('c1', { cursor: 'garbage' })).rejects.toBeInstanceOf(InvalidCursorError);
      const desc = await log.query('c1', { limit: 2 });
      await expect(log.query('c1', { cursor: desc.nextCursor, order: 'asc' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });

    it('stream events: one row per Box event id, and none for a file action a webhook already recorded', async () => {
      const at = '2026-03-02T10:00:05+00:00';
      const webhook = event(900, {
        eventId: 'payload-1',
        eventType: 'FILE.UPLOADED',
        kind: 'content',
        fileId: 'f77',
        occurredAt: at,
        source: 'webhook',
      });
      expect(await log.insertPage('s1', [webhook])).toBe(1);
      const stream = (id: string, extra: Partial<NewEvent>) =>
        event(901, { eventId: id, source: 'event-stream', ...extra });
      const outcomes = await log.recordStreamEvents('s1', [
        // The same edit Box logged: same file, kind and second as the webhook (another vocabulary).
        stream('e-edit', {
          eventType: 'EDIT',
          kind: 'content',
          fileId: 'f77',
          occurredAt: '2026-03-02T10:00:05.400Z',
        }),
        // Same file and second, another kind: another action.
        stream('e-share', { eventType: 'SHARE', kind: 'sharing', fileId: 'f77', occurredAt: at }),
        // Same file and kind, the next second: another action.
        stream('e-later', {
          eventType: 'EDIT',
          kind: 'content',
          fileId: 'f77',
          occurredAt: '2026-03-02T10:00:06Z',
        }),
        // A file no webhook watches (a root-folder file).
        stream('e-root', { eventType: 'EDIT', kind: 'content', fileId: 'f78', occurredAt: at }),
        stream('e-login', { eventType: 'LOGIN', kind: undefined, fileId: undefined, occurredAt: at }),
        // Box's stream repeats an event within a page.
        stream('e-root', { eventType: 'EDIT', kind: 'content', fileId: 'f78', occurredAt: at }),
      ]);
      expect(outcomes).toEqual(['webhook-duplicate', 'new', 'new', 'new', 'new', 'recorded-before']);
      // Read again (a retried activity): every id is there already.
      const again = await log.recordStreamEvents('s1', [
        stream('e-root', { eventType: 'EDIT', kind: 'content', fileId: 'f78', occurredAt: at }),
        stream('e-edit', { eventType: 'EDIT', kind: 'content', fileId: 'f77', occurredAt: at }),
      ]);
      expect(again).toEqual(['recorded-before', 'webhook-duplicate']);
      expect(await log.count('s1', 'event-stream')).toBe(4);
      expect(await log.count('s1')).toBe(5);
      expect(await log.recordStreamEvents('s1', [])).toEqual([]);
    });

    it('running the migrations again changes nothing', async () => {
      await migrateToLatest(store.db);
      expect(await log.count('c1')).toBe(250);
    });
  });
}
