import { ConnectorsRepository } from '../../store/connectors-repository';
import { EventLogRepository, type NewEvent } from '../../store/event-log-repository';
import { WebhookOutboxRepository, type OutboxDelivery } from '../../store/webhook-outbox-repository';
import type { FileEvent } from '../../domain/file-event';
import { DIALECTS, createConnectors, createTestStore } from '../helpers/stores';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 2, 10, 0, 0) + ms).toISOString();
const lease = (owner: string, nowMs: number, forMs = 5_000) => ({
  owner,
  now: at(nowMs),
  until: at(nowMs + forMs),
});

function delivery(id: string, withEvent = true): OutboxDelivery {
  const logged: NewEvent = {
    eventId: id,
    eventType: withEvent ? 'FILE.UPLOADED' : 'FILE.PREVIEWED',
    kind: withEvent ? 'content' : 'view',
    fileId: `9${id.replace(/\D/g, '')}`,
    occurredAt: at(0),
    source: 'webhook',
    rawJson: '{}',
  };
  const event: FileEvent = {
    fileId: logged.fileId!,
    kind: 'content',
    eventType: 'FILE.UPLOADED',
    occurredAt: at(0),
    source: 'webhook',
  };
  return withEvent ? { logged, event } : { logged };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: webhook outbox`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let outbox: WebhookOutboxRepository;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      outbox = new WebhookOutboxRepository(store.db);
      await createConnectors(store.db, ['c1', 'c2']);
    });
    afterAll(() => store.dispose());

    it('a new delivery is recorded once and pending until marked signalled; views are never pending', async () => {
      const answers = await outbox.recordDeliveries(
        'c1',
        [delivery('p1'), delivery('p2', false), delivery('p1')],
        lease('a', 0),
      );
      expect(answers).toEqual(['fresh', 'recorded', 'duplicate']);
      expect(await new EventLogRepository(store.db).count('c1')).toBe(2);
      expect(await outbox.countPending('c1')).toBe(1);
      await outbox.markSignalled('c1', ['p1'], 'someone-else');
      expect(await outbox.countPending('c1')).toBe(1);
      await outbox.markSignalled('c1', ['p1'], 'a');
      expect(await outbox.countPending('c1')).toBe(0);
      expect(await outbox.recordDeliveries('c1', [delivery('p1')], lease('a', 10))).toEqual(['duplicate']);
    });

    it("a retry of a pending delivery is 'pending' while its lease holds and reclaimed once it ran out", async () => {
      expect(await outbox.recordDeliveries('c1', [delivery('p3')], lease('a', 0))).toEqual(['fresh']);
      expect(await outbox.recordDeliveries('c1', [delivery('p3')], lease('b', 1_000))).toEqual(['pending']);
      expect(await outbox.recordDeliveries('c1', [delivery('p3')], lease('b', 6_000))).toEqual(['reclaimed']);
      await outbox.markSignalled('c1', ['p3'], 'a');
      expect(await outbox.countPending('c1')).toBe(1);
      await outbox.markSignalled('c1', ['p3'], 'b');
      expect(await outbox.countPending('c1')).toBe(0);
    });

    it('two sweepers racing claim each expired delivery exactly once; a released one is claimable at once', async () => {
      const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
      await outbox.recordDeliveries(
        'c2',
        ids.map((id) => delivery(id)),
        lease('dead', 0),
      );
      expect(await outbox.claimExpired(lease('x', 1_000), 100)).toEqual([]);
      const [x, y] = await Promise.all([
        outbox.claimExpired(lease('x', 10_000), 100),
        outbox.claimExpired(lease('y', 10_000), 100),
      ]);
      const claimed = [...x, ...y].map((c) => c.eventId).sort();
      expect(claimed).toEqual([...ids].sort());
      expect(x[0]?.event).toMatchObject({ kind: 'content', source: 'webhook' });
      await outbox.release(
        'c2',
        x.map((c) => c.eventId),
        'x',
        at(9_999),
      );
      expect((await outbox.claimExpired(lease('z', 10_000), 100)).length).toBe(x.length);
      await outbox.markSignalled('c2', ids, 'z');
      await outbox.markSignalled('c2', ids, 'y');
      expect(await outbox.countPending('c2')).toBe(0);
    });

    it('pending deliveries of a disconnected connector are dropped by the sweep, not signalled', async () => {
      await outbox.recordDeliveries('c2', [delivery('g1')], lease('dead', 0));
      await new ConnectorsRepository(store.db).updateStatus('c2', {
        status: 'Disconnected',
        statusMessage: '',
      });
      expect(await outbox.claimExpired(lease('x', 60_000), 100)).toEqual([]);
      expect(await outbox.countPending('c2')).toBe(0);
    });
  });
}
