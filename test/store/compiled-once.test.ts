import { compiledOnce } from '../../store/compiled-once';
import { InventoryRepository, type FileRow } from '../../store/inventory-repository';
import { DIALECTS, createConnectors, createTestStore } from '../helpers/stores';

const row = (fileId: string, name: string): FileRow => ({
  connector_id: 'c1',
  file_id: fileId,
  owner_id: 'u1',
  owner_login: 'ann@acme.com',
  name,
  path: `/Docs/${name}`,
  extension: 'txt',
  size: 10,
  sha1: `sha-${name}`,
  access_level: 'private',
  shared_link_access: null,
  collaborators_json: '{}',
  direct_collaborators_json: '[]',
  has_collaborations: 0,
  modified_at: null,
  last_seen_pass: 1,
  walked_pass: 1,
  last_scanned_at: null,
  scanned_sha1: null,
  scanned_sharing_hash: null,
  scanned_policy_version: null,
  inspection_status: 'Pending',
  inspection_reason: 'not inspected yet',
  deleted_at: null,
  updated_at: '2026-12-04T00:00:00.000Z',
});

for (const dialect of DIALECTS) {
  describe(`compiledOnce (${dialect})`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      await createConnectors(store.db, ['c1']);
    });
    afterAll(() => store.dispose());

    it('builds a shape once, then runs its SQL with the new values', async () => {
      let builds = 0;
      const select = (name: string) =>
        compiledOnce(store.db, `test select ${dialect}`, ['c1', name], () => {
          builds++;
          return store.db
            .selectFrom('files')
            .select('file_id')
            .where('connector_id', '=', 'c1')
            .where('name', '=', name);
        });
      await new InventoryRepository(store.db).upsertMany([row('f1', 'a.txt'), row('f2', 'b.txt')]);
      expect((await store.db.executeQuery(select('a.txt'))).rows).toEqual([{ file_id: 'f1' }]);
      expect((await store.db.executeQuery(select('b.txt'))).rows).toEqual([{ file_id: 'f2' }]);
      expect((await store.db.executeQuery(select('c.txt'))).rows).toEqual([]);
      expect(builds).toBe(1);
    });

    it('keeps no SQL when the values given are not those the query binds', async () => {
      let builds = 0;
      const wrong = () =>
        compiledOnce(store.db, `test wrong ${dialect}`, ['c1'], () => {
          builds++;
          return store.db.selectFrom('files').select('file_id').where('name', '=', 'b.txt');
        });
      expect((await store.db.executeQuery(wrong())).rows).toEqual([{ file_id: 'f2' }]);
      expect((await store.db.executeQuery(wrong())).rows).toEqual([{ file_id: 'f2' }]);
      expect(builds).toBe(2);
    });

    it('upserts of the same number of rows replace each stored row with its own values', async () => {
      const inventory = new InventoryRepository(store.db);
      await inventory.upsertMany([row('f1', 'a2.txt'), row('f3', 'c.txt')]);
      await inventory.upsertMany([{ ...row('f2', 'b2.txt'), size: 99 }, row('f4', 'd.txt')]);
      const stored = await inventory.getMany('c1', ['f1', 'f2', 'f3', 'f4']);
      expect([...stored.values()].map((r) => [r.file_id, r.name, r.size]).sort()).toEqual([
        ['f1', 'a2.txt', 10],
        ['f2', 'b2.txt', 99],
        ['f3', 'c.txt', 10],
        ['f4', 'd.txt', 10],
      ]);
    });
  });
}
