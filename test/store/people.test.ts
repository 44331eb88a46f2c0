import { roleAllows, weakerRole, ROLES } from '../../domain/roles';
import {
  AccountsRepository,
  DuplicateLoginError,
  InvalidLoginError,
  PasswordPolicyError,
  signInRefusal,
} from '../../store/accounts-repository';
import { ApiTokensRepository, LAST_USED_RESOLUTION_MS, tokenHash } from '../../store/api-tokens-repository';
import { AuditRepository } from '../../store/audit-repository';
import { InvalidCursorError } from '../../store/event-log-repository';
import { DIALECTS, createTestStore } from '../helpers/stores';

const PASSWORD = 'correct horse battery';

describe('roles', () => {
  it('orders viewer < analyst < admin', () => {
    expect(ROLES).toEqual(['viewer', 'analyst', 'admin']);
    expect(roleAllows('admin', 'analyst')).toBe(true);
    expect(roleAllows('analyst', 'analyst')).toBe(true);
    expect(roleAllows('viewer', 'analyst')).toBe(false);
    expect(roleAllows('analyst', 'admin')).toBe(false);
    expect(weakerRole('admin', 'viewer')).toBe('viewer');
    expect(weakerRole('analyst', 'admin')).toBe('analyst');
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: people`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    let accounts: AccountsRepository;
    let tokens: ApiTokensRepository;
    let audit: AuditRepository;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      accounts = new AccountsRepository(store.db);
      tokens = new ApiTokensRepository(store.db);
      audit = new AuditRepository(store.db);
    });
    afterAll(() => store.dispose());

    it('creates accounts with a lower-case unique login and an argon2id hash', async () => {
      const user = await accounts.create({
        login: '  Alice@Example.com ',
        password: PASSWORD,
        role: 'analyst',
      });
      expect(user.login).toBe('alice@example.com');
      expect(user.display_name).toBe('alice@example.com');
      expect(user.password_hash).toMatch(/^\$argon2id\$/);
      expect(user.disabled).toBe(0);
      await expect(accounts.create({ login: 'ALICE@example.com', role: 'viewer' })).rejects.toBeInstanceOf(
        DuplicateLoginError,
      );
      await expect(accounts.create({ login: 'bad login', role: 'viewer' })).rejects.toBeInstanceOf(
        InvalidLoginError,
      );
      await expect(
        accounts.create({ login: 'shorty', password: 'elevenchars', role: 'viewer' }),
      ).rejects.toThrow(/at least 12 characters/);
      expect(await accounts.findByLogin('shorty')).toBeUndefined();
      expect((await accounts.findByLogin('ALICE@EXAMPLE.COM'))?.id).toBe(user.id);
      expect((await accounts.findById(user.id))?.role).toBe('analyst');
    });

    it('verifies passwords: the right one gives the user, a wrong one or an unknown login null', async () => {
      await accounts.create({ login: 'bob', displayName: 'Bob B', password: PASSWORD, role: 'viewer' });
      expect((await accounts.verifyPassword('BOB', PASSWORD))?.login).toBe('bob');
      expect(await accounts.verifyPassword('bob', `${PASSWORD}!`)).toBeNull();
      expect(await accounts.verifyPassword('nobody', PASSWORD)).toBeNull();
      expect(await accounts.verifyPassword('bob', 'x'.repeat(300))).toBeNull();
      const oidcOnly = await accounts.create({ login: 'carol', role: 'viewer' });
      expect(oidcOnly.password_hash).toBeNull();
      expect(await accounts.verifyPassword('carol', PASSWORD)).toBeNull();
    });

    it('sets a password (policy enforced) and ends a lockout', async () => {
      const user = await accounts.create({ login: 'dave', password: PASSWORD, role: 'viewer' });
      await expect(accounts.setPassword(user.id, 'short')).rejects.toBeInstanceOf(PasswordPolicyError);
      await accounts.recordFailedSignIn(user.id, 1, 60_000);
      expect(signInRefusal((await accounts.findById(user.id))!)).toBe('locked');
      await expect(accounts.setPassword(user.id, 'a new long password')).resolves.toBe(true);
      const after = (await accounts.findById(user.id))!;
      expect(after.locked_until).toBeNull();
      expect(await accounts.verifyPassword('dave', 'a new long password')).not.toBeNull();
      expect(await accounts.verifyPassword('dave', PASSWORD)).toBeNull();
      await expect(accounts.setPassword('u_missing', 'a new long password')).resolves.toBe(false);
    });

    it('locks after N failures in a row for the given time; a sign-in clears the count', async () => {
      const user = await accounts.create({ login: 'erin', password: PASSWORD, role: 'viewer' });
      const now = Date.now();
      await accounts.recordFailedSignIn(user.id, 3, 60_000, now);
      let u = (await accounts.recordFailedSignIn(user.id, 3, 60_000, now))!;
      expect(u.failed_sign_ins).toBe(2);
      expect(signInRefusal(u, now)).toBeUndefined();
      await accounts.recordSignIn(user.id, now);
      u = (await accounts.findById(user.id))!;
      expect(u.failed_sign_ins).toBe(0);
      expect(u.last_sign_in_at).toBe(new Date(now).toISOString());
      for (let i = 0; i < 2; i++) await accounts.recordFailedSignIn(user.id, 3, 60_000, now);
      u = (await accounts.recordFailedSignIn(user.id, 3, 60_000, now))!;
      expect(u.locked_until).toBe(new Date(now + 60_000).toISOString());
      expect(u.failed_sign_ins).toBe(0);
      expect(signInRefusal(u, now + 59_000)).toBe('locked');
      expect(signInRefusal(u, now + 61_000)).toBeUndefined();
    });

    it('updates role, display name and disabled; lists by login', async () => {
      const user = await accounts.create({ login: 'frank', password: PASSWORD, role: 'viewer' });
      const updated = (await accounts.update(user.id, {
        role: 'admin',
        displayName: ' Frank F ',
        disabled: true,
      }))!;
      expect(updated).toMatchObject({ role: 'admin', display_name: 'Frank F', disabled: 1 });
      expect(signInRefusal(updated)).toBe('disabled');
      expect((await accounts.update(user.id, { displayName: '  ' }))!.display_name).toBe('Frank F');
      expect(await accounts.update('u_missing', { role: 'admin' })).toBeUndefined();
      const logins = (await accounts.list()).map((u) => u.login);
      expect(logins).toEqual([...logins].sort());
      expect(await accounts.count()).toBe(logins.length);
    });

    it('upserts OIDC users by (issuer, subject); a local login is not taken over', async () => {
      const first = await accounts.upsertOidcUser({
        issuer: 'https://idp.example',
        subject: 'sub-1',
        login: 'Grace@Example.com',
        displayName: 'Grace',
        role: 'viewer',
      });
      expect(first).toMatchObject({ login: 'grace@example.com', password_hash: null, role: 'viewer' });
      const again = await accounts.upsertOidcUser({
        issuer: 'https://idp.example',
        subject: 'sub-1',
        login: 'renamed@example.com',
        displayName: 'Grace H',
        role: 'analyst',
      });
      expect(again).toMatchObject({
        id: first.id,
        login: 'grace@example.com',
        display_name: 'Grace H',
        role: 'analyst',
      });
      const other = await accounts.upsertOidcUser({
        issuer: 'https://other.example',
        subject: 'sub-1',
        login: 'grace2@example.com',
        role: 'viewer',
      });
      expect(other.id).not.toBe(first.id);
      await expect(
        accounts.upsertOidcUser({
          issuer: 'https://idp.example',
          subject: 'sub-2',
          login: 'bob',
          role: 'admin',
        }),
      ).rejects.toBeInstanceOf(DuplicateLoginError);
      expect((await accounts.findByLogin('bob'))?.role).toBe('viewer');
    });

    it('personal tokens: stored as a SHA-256 hash, checked, capped by the owner role, revoked, expired', async () => {
      const owner = await accounts.create({ login: 'henry', password: PASSWORD, role: 'analyst' });
      const { record, token } = await tokens.create({ userId: owner.id, name: 'ci', role: 'analyst' });
      expect(token).toMatch(/^cbx_pat_[A-Za-z0-9_-]{43}$/);
      expect(record.token_hash).toBe(tokenHash(token));
      const stored = await store.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('id', '=', record.id)
        .execute();
      expect(JSON.stringify(stored)).not.toContain(token);
      const check = await tokens.check(token);
      expect(check).toMatchObject({
        ok: true,
        role: 'analyst',
        user: { id: owner.id },
        token: { id: record.id },
      });
      expect(await tokens.check(`${token}x`)).toEqual({ ok: false, reason: 'unknown' });

      await accounts.update(owner.id, { role: 'viewer' });
      expect(await tokens.check(token)).toMatchObject({ ok: true, role: 'viewer' });
      await accounts.update(owner.id, { disabled: true });
      expect(await tokens.check(token)).toEqual({ ok: false, reason: 'user-disabled' });
      await accounts.update(owner.id, { disabled: false, role: 'analyst' });

      const expiring = await tokens.create({
        userId: owner.id,
        name: 'short',
        role: 'viewer',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      });
      expect(await tokens.check(expiring.token)).toMatchObject({ ok: true, role: 'viewer' });
      expect(await tokens.check(expiring.token, Date.now() + 61_000)).toEqual({
        ok: false,
        reason: 'expired',
      });

      const revoked = (await tokens.revoke(record.id))!;
      expect(revoked.revoked_at).not.toBeNull();
      expect((await tokens.revoke(record.id))!.revoked_at).toBe(revoked.revoked_at);
      expect(await tokens.check(token)).toEqual({ ok: false, reason: 'revoked' });
      expect((await tokens.listForUser(owner.id)).map((t) => t.name)).toEqual(['short', 'ci']);
    });

    it('writes last_used_at at most once per minute per token', async () => {
      const owner = await accounts.create({ login: 'ivy', password: PASSWORD, role: 'viewer' });
      const { record } = await tokens.create({ userId: owner.id, name: 'busy', role: 'viewer' });
      const t0 = Date.now();
      expect(await tokens.touch(record.id, t0)).toBe(true);
      expect(await tokens.touch(record.id, t0 + 1_000)).toBe(false);
      expect(await tokens.touch(record.id, t0 + LAST_USED_RESOLUTION_MS - 1)).toBe(false);
      expect((await tokens.get(record.id))!.last_used_at).toBe(new Date(t0).toISOString());
      expect(await tokens.touch(record.id, t0 + LAST_USED_RESOLUTION_MS)).toBe(true);
      expect((await tokens.get(record.id))!.last_used_at).toBe(
        new Date(t0 + LAST_USED_RESOLUTION_MS).toISOString(),
      );
    });

    it('audit: appends entries and lists them newest first with filters and cursor paging', async () => {
      const base = Date.parse('2026-01-01T00:00:00.000Z');
      const ids: number[] = [];
      for (let i = 0; i < 7; i++)
        ids.push(
          await audit.record({
            at: new Date(base + i * 1000).toISOString(),
            actorKind: i % 2 === 0 ? 'personal-token' : 'cli',
            actorUserId: i % 2 === 0 ? 'u_1' : null,
            actorLogin: i % 2 === 0 ? 'alice' : 'cli',
            action: i < 4 ? 'connector.create' : 'token.create',
            target: `c${i % 3}`,
            method: 'POST',
            route: '/api/connectors',
            ip: '127.0.0.1',
            outcome: i === 6 ? 'denied' : 'ok',
            status: i === 6 ? 403 : 201,
            detail: { n: i },
          }),
        );
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const all = await audit.list();
      expect(all.items.map((r) => r.id)).toEqual([...ids].reverse());
      expect(all.items[0]).toMatchObject({
        outcome: 'denied',
        status: 403,
        detail: '{"n":6}',
        actor_kind: 'personal-token',
      });

      const p1 = await audit.list({}, { limit: 3 });
      expect(p1.items).toHaveLength(3);
      const p2 = await audit.list({}, { limit: 3, cursor: p1.nextCursor });
      const p3 = await audit.list({}, { limit: 3, cursor: p2.nextCursor });
      expect(p3.nextCursor).toBeUndefined();
      expect([...p1.items, ...p2.items, ...p3.items].map((r) => r.id)).toEqual([...ids].reverse());
      await expect(audit.list({}, { cursor: 'nope' })).rejects.toBeInstanceOf(InvalidCursorError);

      expect((await audit.list({ actor: 'alice' })).items).toHaveLength(4);
      expect((await audit.list({ actor: 'u_1' })).items).toHaveLength(4);
      expect((await audit.list({ action: 'token.create' })).items).toHaveLength(3);
      expect((await audit.list({ target: 'c0' })).items.map((r) => r.id)).toEqual([ids[6], ids[3], ids[0]]);
      expect((await audit.list({ outcome: 'denied' })).items.map((r) => r.id)).toEqual([ids[6]]);
      const window = await audit.list({
        since: new Date(base + 2000).toISOString(),
        until: new Date(base + 4000).toISOString(),
      });
      expect(window.items.map((r) => r.id)).toEqual([ids[3], ids[2]]);
    });

    it('the audit repository offers no update or delete', () => {
      const methods = Object.getOwnPropertyNames(AuditRepository.prototype).filter(
        (m) => m !== 'constructor',
      );
      expect(methods.sort()).toEqual(['list', 'record']);
    });
  });
}
