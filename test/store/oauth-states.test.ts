import { randomBytes } from 'node:crypto';
import { OAuthStateError, OAuthStateSigner } from '../../api/oauth-state';
import { OAuthStatesRepository } from '../../store/oauth-states-repository';
import { DIALECTS, createTestStore } from '../helpers/stores';

for (const dialect of DIALECTS) {
  describe(`${dialect}: OAuth state`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let signer: OAuthStateSigner;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      signer = new OAuthStateSigner(randomBytes(32), new OAuthStatesRepository(store.db));
    });
    afterAll(() => store.dispose());

    it('is accepted once, for its connector, and refused when replayed', async () => {
      const { state } = await signer.issue('c1', 60_000);
      await expect(signer.consume(state)).resolves.toEqual({ connectorId: 'c1' });
      await expect(signer.consume(state)).rejects.toMatchObject({ reason: 'replayed' });
    });

    it('is refused once expired, and refused as forged when tampered with', async () => {
      const now = Date.now();
      const { state } = await signer.issue('c2', 1_000, now);
      await expect(signer.consume(state, now + 2_000)).rejects.toMatchObject({ reason: 'expired' });
      const [payload] = state.split('.');
      await expect(signer.consume(`${payload}.${'x'.repeat(43)}`)).rejects.toBeInstanceOf(OAuthStateError);
    });

    it('issuing drops nonces that expired more than a day ago', async () => {
      const now = Date.now();
      await signer.issue('old', 1_000, now - 3 * 86_400_000);
      await signer.issue('new', 60_000, now);
      const rows = await store.db.selectFrom('oauth_states').select('connector_id').execute();
      expect(rows.map((r) => r.connector_id)).not.toContain('old');
      expect(rows.map((r) => r.connector_id)).toContain('new');
    });
  });
}
