import { ConnectorsRepository } from '../../store/connectors-repository';
import { WebhooksRepository } from '../../store/webhooks-repository';
import { DIALECTS, createTestStore } from '../helpers/stores';

for (const dialect of DIALECTS) {
  describe(`${dialect}: webhooks store`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let hooks: WebhooksRepository;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      hooks = new WebhooksRepository(store.db);
    });
    afterAll(() => store.dispose());

    it('records webhooks per connector and finds one by its Box id alone', async () => {
      await hooks.record('c1', { webhookId: 'w1', targetType: 'folder', targetId: 'f1', userId: 'u1' });
      await hooks.record('c1', { webhookId: 'w2', targetType: 'folder', targetId: 'f2', userId: 'u1' });
      await hooks.record('c2', { webhookId: 'w3', targetType: 'folder', targetId: 'f1', userId: 'u1' });
      expect((await hooks.list('c1')).map((h) => h.webhook_id)).toEqual(['w1', 'w2']);
      expect(await hooks.count('c2')).toBe(1);
      expect(await hooks.find('w3')).toMatchObject({
        connector_id: 'c2',
        target_type: 'folder',
        target_id: 'f1',
        user_id: 'u1',
      });
      expect(await hooks.find('nope')).toBeUndefined();
    });

    it('a re-created webhook replaces the row of its target; recording the same one twice is harmless', async () => {
      await hooks.record('c1', { webhookId: 'w9', targetType: 'folder', targetId: 'f1', userId: 'u1' });
      await hooks.record('c1', { webhookId: 'w9', targetType: 'folder', targetId: 'f1', userId: 'u1' });
      expect((await hooks.list('c1')).map((h) => [h.webhook_id, h.target_id])).toEqual([
        ['w9', 'f1'],
        ['w2', 'f2'],
      ]);
      expect(await hooks.find('w1')).toBeUndefined();
    });

    it('a webhook is delivered to every active connector recording it, and is shared only with active ones', async () => {
      const connectors = new ConnectorsRepository(store.db);
      await connectors.create({
        id: 'c1',
        instanceName: 'A',
        dataCenter: 'US1',
        status: 'Connected',
        statusMessage: '',
      });
      await connectors.create({
        id: 'c2',
        instanceName: 'B',
        dataCenter: 'US1',
        status: 'Connected',
        statusMessage: '',
      });
      await connectors.updateStatus('c2', { status: 'Disconnected', statusMessage: 'bye' });
      expect(await hooks.activeConnectorsOf('w2')).toEqual(['c1']);
      expect(await hooks.activeConnectorsOf('w3')).toEqual([]);
      expect(await hooks.activeConnectorsOf('nope')).toEqual([]);
      // c2 (disconnected) also records w2: c1 may delete it at Box, nobody active shares it.
      await hooks.record('c2', { webhookId: 'w2', targetType: 'folder', targetId: 'f2', userId: 'u1' });
      expect(await hooks.sharedWithOthers('c1', 'w2')).toBe(false);
      expect(await hooks.sharedWithOthers('c2', 'w2')).toBe(true);
      expect(await hooks.activeConnectorsOf('w2')).toEqual(['c1']);
      await hooks.remove('c2', 'w2');
    });

    it('removes one webhook and says whether it was there', async () => {
      expect(await hooks.remove('c1', 'w2')).toBe(true);
      expect(await hooks.remove('c1', 'w2')).toBe(false);
      expect(await hooks.remove('c1', 'w3')).toBe(false);
      expect(await hooks.count('c1')).toBe(1);
    });

    it("a webhook re-created by one connector replaces the shared record of the enterprise's other active connectors", async () => {
      const connectors = new ConnectorsRepository(store.db);
      for (const id of ['e1', 'e2', 'x1']) {
        await connectors.create({
          id,
          instanceName: id,
          dataCenter: 'US1',
          status: 'Connected',
          statusMessage: '',
        });
        await connectors.updateStatus(id, {
          status: 'Connected',
          statusMessage: '',
          enterpriseId: id === 'x1' ? 'other' : 'ent',
        });
      }
      for (const id of ['e1', 'e2', 'x1'])
        await hooks.record(id, { webhookId: 'w50', targetType: 'folder', targetId: 'f50', userId: 'u5' });
      await hooks.record('e1', { webhookId: 'w51', targetType: 'folder', targetId: 'f50', userId: 'u5' });
      expect((await hooks.list('e2')).map((h) => h.webhook_id)).toEqual(['w51']);
      expect((await hooks.list('x1')).map((h) => h.webhook_id)).toEqual(['w50']);
      expect(await hooks.activeConnectorsOf('w51')).toEqual(['e1', 'e2']);
    });
  });
}
