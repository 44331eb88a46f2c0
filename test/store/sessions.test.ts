import { AccountsRepository } from '../../store/accounts-repository';
import { SessionsRepository, sessionIdHash } from '../../store/sessions-repository';
import { DIALECTS, createTestStore } from '../helpers/stores';

const HOUR = 3_600_000;
const IDLE = 30 * 60_000;

for (const dialect of DIALECTS) {
  describe(`${dialect}: console sessions`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let sessions: SessionsRepository;
    let accounts: AccountsRepository;
    let userId: string;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      sessions = new SessionsRepository(store.db);
      accounts = new AccountsRepository(store.db);
      userId = (await accounts.create({ login: `ann-${dialect}`, role: 'analyst' })).id;
    });
    afterAll(() => store.dispose());

    it('stores only the hash of the cookie value, and finds the session and its user by the value', async () => {
      const t0 = new Date('2026-01-01T10:00:00Z');
      const s = await sessions.create(
        { userId, lifetimeMs: 8 * HOUR, ip: '127.0.0.1', userAgent: 'jest' },
        t0,
      );
      const rows = await store.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
      expect(rows.map((r) => r.id_hash)).toEqual([sessionIdHash(s.token)]);
      expect(JSON.stringify(rows)).not.toContain(s.token);
      expect(rows[0]).toMatchObject({
        ip: '127.0.0.1',
        user_agent: 'jest',
        expires_at: '2026-01-01T18:00:00.000Z',
      });
      const found = await sessions.use(s.token, IDLE, new Date(t0.getTime() + 60_000));
      expect(found?.user).toMatchObject({ id: userId, login: `ann-${dialect}`, role: 'analyst' });
      expect(found?.idleExpiresAt.toISOString()).toBe('2026-01-01T10:31:00.000Z');
      expect(
        await sessions.use(
          s.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
          IDLE,
          t0,
        ),
      ).toBeUndefined();
      expect(await sessions.use('not a token', IDLE, t0)).toBeUndefined();
      await sessions.end(s.idHash);
    });

    it('ends a session unused for longer than the idle timeout; each use restarts the idle clock', async () => {
      const t0 = Date.parse('2026-01-02T10:00:00Z');
      const s = await sessions.create({ userId, lifetimeMs: 8 * HOUR }, new Date(t0));
      expect(await sessions.use(s.token, IDLE, new Date(t0 + 29 * 60_000))).toBeDefined();
      expect(await sessions.use(s.token, IDLE, new Date(t0 + 58 * 60_000))).toBeDefined();
      expect(await sessions.use(s.token, IDLE, new Date(t0 + 88 * 60_000 + 1))).toBeUndefined();
      // The expired row is gone: the session cannot come back.
      expect(await sessions.use(s.token, IDLE, new Date(t0 + 59 * 60_000))).toBeUndefined();
    });

    it('a use with touch=false checks the session without restarting the idle clock (the codec endpoint)', async () => {
      const t0 = Date.parse('2026-01-03T10:00:00Z');
      const s = await sessions.create({ userId, lifetimeMs: 8 * HOUR }, new Date(t0));
      const checked = await sessions.use(s.token, IDLE, new Date(t0 + 20 * 60_000), false);
      expect(checked?.idleExpiresAt.toISOString()).toBe('2026-01-03T10:30:00.000Z');
      // Still ends 30 minutes after the last counted use (creation), however often it was checked.
      expect(await sessions.use(s.token, IDLE, new Date(t0 + 29 * 60_000), false)).toBeDefined();
      expect(await sessions.use(s.token, IDLE, new Date(t0 + 30 * 60_000 + 1), false)).toBeUndefined();
    });

    it('ends a session at its absolute end however active it is', async () => {
      const t0 = Date.parse('2026-01-03T10:00:00Z');
      const s = await sessions.create({ userId, lifetimeMs: HOUR }, new Date(t0));
      for (let m = 20; m < 60; m += 20)
        expect(await sessions.use(s.token, IDLE, new Date(t0 + m * 60_000))).toBeDefined();
      const last = await sessions.use(s.token, IDLE, new Date(t0 + 50 * 60_000));
      expect(last?.idleExpiresAt.toISOString()).toBe('2026-01-03T11:00:00.000Z');
      expect(await sessions.use(s.token, IDLE, new Date(t0 + HOUR))).toBeUndefined();
    });

    it("a disabled user's sessions stop working at once, and endAllOf ends them all", async () => {
      const u = await accounts.create({ login: `bob-${dialect}`, role: 'viewer' });
      const a = await sessions.create({ userId: u.id, lifetimeMs: HOUR });
      const b = await sessions.create({ userId: u.id, lifetimeMs: HOUR });
      expect(await sessions.use(a.token, IDLE)).toBeDefined();
      await accounts.update(u.id, { disabled: true });
      expect(await sessions.use(a.token, IDLE)).toBeUndefined();
      await accounts.update(u.id, { disabled: false });
      expect(await sessions.countOf(u.id)).toBe(2);
      expect(await sessions.endAllOf(u.id)).toBe(2);
      expect(await sessions.use(b.token, IDLE)).toBeUndefined();
    });

    it('the role is read from the user at each use (a demoted user is demoted in their session)', async () => {
      const u = await accounts.create({ login: `cy-${dialect}`, role: 'admin' });
      const s = await sessions.create({ userId: u.id, lifetimeMs: HOUR });
      await accounts.update(u.id, { role: 'viewer' });
      expect((await sessions.use(s.token, IDLE))?.user.role).toBe('viewer');
    });

    it('purges sessions past their end or idle too long, and keeps the others', async () => {
      const t0 = Date.parse('2026-01-04T10:00:00Z');
      const idle = await sessions.create({ userId, lifetimeMs: 8 * HOUR }, new Date(t0));
      const ended = await sessions.create({ userId, lifetimeMs: 10 * 60_000 }, new Date(t0 + 20 * 60_000));
      const live = await sessions.create({ userId, lifetimeMs: 8 * HOUR }, new Date(t0 + 40 * 60_000));
      expect(await sessions.purgeExpired(IDLE, new Date(t0 + 45 * 60_000))).toBeGreaterThanOrEqual(2);
      const left = (await store.db.selectFrom('sessions').select('id_hash').execute()).map((r) => r.id_hash);
      expect(left).toContain(live.idHash);
      expect(left).not.toContain(idle.idHash);
      expect(left).not.toContain(ended.idHash);
    });
  });
}
