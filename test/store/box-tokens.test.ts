import { BoxTokensRepository } from '../../store/box-tokens-repository';
import { KeyRing, TokenCipher } from '../../box/token-cipher';
import { TokenVault } from '../../box/token-vault';
import { DIALECTS, createTestStore } from '../helpers/stores';

const expiresAt = new Date('2026-11-27T12:00:00.000Z');

for (const dialect of DIALECTS) {
  describe(`${dialect}: box tokens store`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let repo: BoxTokensRepository;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      repo = new BoxTokensRepository(store.db);
    });
    afterAll(() => store.dispose());

    it('saves, reloads and replaces a connector token, bumping its version', async () => {
      await repo.save('c1', 'sealed-1', expiresAt);
      expect(await repo.load('c1')).toMatchObject({
        connector_id: 'c1',
        sealed_token: 'sealed-1',
        expires_at: expiresAt.toISOString(),
        version: 1,
        lease_owner: null,
        lease_until: null,
      });
      await repo.save('c1', 'sealed-2', expiresAt);
      expect(await repo.load('c1')).toMatchObject({ sealed_token: 'sealed-2', version: 2 });
      expect(await repo.load('missing')).toBeUndefined();
    });

    it('gives the lease to one owner at a time until it expires', async () => {
      const now = new Date('2026-11-27T10:00:00.000Z');
      expect(await repo.tryAcquireLease('c1', 'a', 60_000, now)).toBe(true);
      expect(await repo.tryAcquireLease('c1', 'b', 60_000, now)).toBe(false);
      expect(await repo.tryAcquireLease('c1', 'a', 60_000, now)).toBe(true);
      const later = new Date(now.getTime() + 61_000);
      expect(await repo.tryAcquireLease('c1', 'b', 60_000, later)).toBe(true);
      expect(await repo.tryAcquireLease('c1', 'a', 60_000, later)).toBe(false);
      await repo.releaseLease('c1', 'a');
      expect((await repo.load('c1'))?.lease_owner).toBe('b');
      await repo.releaseLease('c1', 'b');
      expect(await repo.load('c1')).toMatchObject({ lease_owner: null, lease_until: null });
    });

    it('hands the lease to exactly one of many simultaneous claimants', async () => {
      const owners = Array.from({ length: 8 }, (_, i) => `w${i}`);
      const won = await Promise.all(owners.map((o) => repo.tryAcquireLease('c1', o, 60_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
      await repo.releaseLease('c1', owners[won.indexOf(true)]!);
    });

    it('has no lease to give for a connector without tokens', async () => {
      expect(await repo.tryAcquireLease('missing', 'a', 60_000)).toBe(false);
    });

    it('stores a refreshed token only over the version it was refreshed from, and frees the lease', async () => {
      const { version } = (await repo.load('c1'))!;
      await repo.tryAcquireLease('c1', 'a', 60_000);
      expect(await repo.replaceIfVersion('c1', version, 'sealed-3', expiresAt)).toBe(true);
      expect(await repo.replaceIfVersion('c1', version, 'sealed-stale', expiresAt)).toBe(false);
      expect(await repo.load('c1')).toMatchObject({
        sealed_token: 'sealed-3',
        version: version + 1,
        lease_owner: null,
      });
    });

    it('deletes a connector token', async () => {
      await repo.delete('c1');
      expect(await repo.load('c1')).toBeUndefined();
    });

    it('keeps tokens sealed at rest through the vault', async () => {
      const vault = new TokenVault(repo, new TokenCipher(Buffer.alloc(32, 1)));
      const token = { accessToken: 'at-secret', refreshToken: 'rt-secret', expiresAt: expiresAt.getTime() };
      await vault.save('c2', token);
      const row = await repo.load('c2');
      expect(row?.sealed_token).not.toMatch(/secret/);
      expect(await vault.load('c2')).toMatchObject(token);
      expect(await vault.loadVersioned('c2')).toMatchObject({ version: 1 });
      await vault.delete('c2');
      expect(await vault.load('c2')).toBeUndefined();
    });

    it('re-seals every token with the current key after a rotation and keeps the ones it cannot open', async () => {
      const oldKey = Buffer.alloc(32, 4);
      const newKey = Buffer.alloc(32, 5);
      const before = new TokenVault(repo, new TokenCipher(oldKey));
      const token = (n: number) => ({
        accessToken: `at-${n}`,
        refreshToken: `rt-${n}`,
        expiresAt: expiresAt.getTime(),
      });
      await before.save('r1', token(1));
      await before.save('r2', token(2));
      await new TokenVault(repo, new TokenCipher(Buffer.alloc(32, 6))).save('r3', token(3)); // a lost key
      const versions = await Promise.all(['r1', 'r2'].map(async (id) => (await repo.load(id))!.version));
      const rotated = new TokenVault(repo, new TokenCipher(new KeyRing(newKey, [oldKey])));
      const report = await rotated.resealAll();
      expect(report).toMatchObject({ resealed: 2, changedMeanwhile: 0 });
      expect(report.failed.map((f) => f.connectorId)).toEqual(['r3']);
      // The old key can now be retired: the new key alone opens both, and the versions did not move.
      const after = new TokenVault(repo, new TokenCipher(newKey));
      expect(await after.load('r1')).toMatchObject(token(1));
      expect(await after.load('r2')).toMatchObject(token(2));
      expect(await Promise.all(['r1', 'r2'].map(async (id) => (await repo.load(id))!.version))).toEqual(
        versions,
      );
      expect(await rotated.resealAll()).toMatchObject({ resealed: 0, alreadyCurrent: 2 });
      // A refresh that stored a new pair meanwhile wins over a re-seal of the old value.
      const row = (await repo.load('r1'))!;
      await after.save('r1', token(9));
      expect(await repo.resealIf('r1', row.sealed_token, 'stale')).toBe(false);
      expect(await after.load('r1')).toMatchObject(token(9));
      for (const id of ['r1', 'r2', 'r3']) await repo.delete(id);
    });
  });
}
