import { ConnectorsRepository, DuplicateInstanceNameError } from '../../store/connectors-repository';
import { instanceNameKey } from '../../store/instance-name-key';
import { migrateTo, migrateToLatest } from '../../store/migrate';
import { DIALECTS, createTestStore } from '../helpers/stores';

for (const dialect of DIALECTS) {
  describe(`${dialect}: connectors store`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let repo: ConnectorsRepository;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      repo = new ConnectorsRepository(store.db);
    });
    afterAll(() => store.dispose());

    it('creates a connector and reads it back', async () => {
      await repo.create({
        id: 'c1',
        instanceName: 'Acme',
        dataCenter: 'US1',
        status: 'AwaitingAuthorization',
        statusMessage: 'waiting',
      });
      const got = await repo.get('c1');
      expect(got).toMatchObject({
        id: 'c1',
        instance_name: 'Acme',
        data_center: 'US1',
        status: 'AwaitingAuthorization',
        active: 1,
      });
      expect(await repo.get('missing')).toBeUndefined();
    });

    it('refuses a second active connector with the same instance name', async () => {
      await expect(
        repo.create({
          id: 'c2',
          instanceName: 'Acme',
          dataCenter: 'US1',
          status: 'AwaitingAuthorization',
          statusMessage: '',
        }),
      ).rejects.toBeInstanceOf(DuplicateInstanceNameError);
    });

    it('allows the name again once the first connector is disconnected', async () => {
      await repo.updateStatus('c1', { status: 'Disconnected', statusMessage: 'bye' });
      await repo.create({
        id: 'c3',
        instanceName: 'Acme',
        dataCenter: 'EU1',
        status: 'AwaitingAuthorization',
        statusMessage: '',
      });
      expect((await repo.list()).map((c) => c.id).sort()).toEqual(['c1', 'c3']);
    });

    it('records who authorized for which enterprise', async () => {
      await repo.updateStatus('c3', {
        status: 'Connected',
        statusMessage: 'ok',
        enterpriseId: 'e1',
        authorizedLogin: 'a@x',
        authorizedRole: 'admin',
      });
      expect(await repo.get('c3')).toMatchObject({
        status: 'Connected',
        enterprise_id: 'e1',
        authorized_login: 'a@x',
        authorized_role: 'admin',
      });
    });

    it.each([' acme ', 'ACME', 'Ａｃｍｅ', 'acme\u00a0'])(
      'refuses %j beside the active Acme: names compare after trimming, NFKC and case folding',
      async (name) => {
        const err = await repo
          .create({ id: 'c9', instanceName: name, dataCenter: 'US1', status: 'x', statusMessage: '' })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DuplicateInstanceNameError);
        expect((err as Error).message).toContain("'Acme' (id c3)");
      },
    );

    it('running the migrations again changes nothing', async () => {
      await migrateToLatest(store.db);
      expect(await repo.get('c3')).toBeDefined();
    });
  });
}

describe('instanceNameKey', () => {
  it('folds spacing, compatibility forms and case, and keeps different names apart', () => {
    expect(instanceNameKey(' Northwind  (BOX-SIM) ')).toBe(instanceNameKey('northwind (box-sim)'));
    expect(instanceNameKey('STRASSE')).toBe(instanceNameKey('straße'));
    expect(instanceNameKey('ﬁnance')).toBe(instanceNameKey('FINANCE'));
    expect(instanceNameKey('Acme EU')).not.toBe(instanceNameKey('Acme US'));
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: migration 007 (connector name keys) over older data`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    afterAll(() => store.dispose());

    it('keeps connectors whose names collide only after folding, and refuses new collisions', async () => {
      store = await createTestStore(dialect);
      await migrateTo(store.db, '006-webhooks');
      const row = (id: string, name: string, active: number, at: string) => ({
        id,
        instance_name: name,
        data_center: 'US1',
        status: active ? 'Connected' : 'Disconnected',
        status_message: '',
        enterprise_id: null,
        authorized_login: null,
        authorized_role: null,
        created_at: at,
        updated_at: at,
        active,
      });
      await (store.db as any)
        .insertInto('connectors')
        .values([
          row('a', 'Northwind (box-sim)', 1, '2026-01-01T00:00:00Z'),
          row('b', ' northwind (BOX-SIM) ', 1, '2026-01-02T00:00:00Z'),
          row('c', 'NORTHWIND (box-sim)', 0, '2026-01-03T00:00:00Z'),
        ])
        .execute();
      await migrateToLatest(store.db);
      const repo = new ConnectorsRepository(store.db);
      expect((await repo.list()).map((c) => c.id).sort()).toEqual(['a', 'b', 'c']);
      const err = await repo
        .create({
          id: 'd',
          instanceName: 'northwind (box-sim)',
          dataCenter: 'US1',
          status: 'x',
          statusMessage: '',
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateInstanceNameError);
      expect((err as Error).message).toContain('(id a)');
    });
  });
}
