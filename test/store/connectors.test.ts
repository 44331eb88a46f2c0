import { ConnectorsRepository, DuplicateInstanceNameError } from '../../store/connectors-repository';
import { migrateToLatest } from '../../store/migrate';
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

    it('running the migrations again changes nothing', async () => {
      await migrateToLatest(store.db);
      expect(await repo.get('c3')).toBeDefined();
    });
  });
}
