import { AccountsRepository } from '../../../store/accounts-repository';
import { ApiTokensRepository, tokenHash } from '../../../store/api-tokens-repository';
import { AUTH, addConnector, startTestApi, type TestApi } from '../../helpers/api-server';
import { TEST_PASSWORD, userWithToken } from '../../helpers/people';

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: Array<{ field: string }>;
}

describe('personal API tokens', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('are created by a user for themselves, shown once, stored as a SHA-256 hash, and work at once', async () => {
    const alice = await userWithToken(api.store, 'analyst', 'alice');
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: alice.headers,
      payload: { name: 'nightly export', expiresInDays: 30 },
    });
    expect(res.statusCode).toBe(201);
    const created = res.json<{
      id: string;
      token: string;
      role: string;
      expiresAt: string;
      userId: string;
    }>();
    expect(created.token).toMatch(/^cbx_pat_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ role: 'analyst', userId: alice.user.id });
    expect(Date.parse(created.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const rows = await api.store.db.selectFrom('api_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(created.token);
    expect(rows.find((r) => r.id === created.id)?.token_hash).toBe(tokenHash(created.token));

    const headers = { authorization: `Bearer ${created.token}` };
    expect((await api.app.inject({ url: '/api/connectors', headers })).statusCode).toBe(200);
    const list = await api.app.inject({ url: '/api/tokens', headers: alice.headers });
    const items = list.json<{ items: Array<{ id: string; lastUsedAt: string | null; state: string }> }>()
      .items;
    expect(items.find((t) => t.id === created.id)).toMatchObject({ state: 'active' });
    expect(items.find((t) => t.id === created.id)?.lastUsedAt).not.toBeNull();
    expect(list.body).not.toContain('cbx_pat_');

    // Used again within the minute: last_used_at is not written again.
    const before = (await new ApiTokensRepository(api.store.db).get(created.id))!.last_used_at;
    for (let i = 0; i < 3; i++) await api.app.inject({ url: '/api/connectors', headers });
    expect((await new ApiTokensRepository(api.store.db).get(created.id))!.last_used_at).toBe(before);
  });

  it('carry the creator role or less: asking for more is a 403', async () => {
    const viewer = await userWithToken(api.store, 'viewer', 'vic');
    const more = await api.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: viewer.headers,
      payload: { name: 'sneaky', role: 'admin' },
    });
    expect(more.statusCode).toBe(403);
    expect(more.json<Problem>().detail).toMatch(/your role or a lower one.*'viewer', not 'admin'/);
    const admin = await userWithToken(api.store, 'admin', 'ada');
    const less = await api.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: admin.headers,
      payload: { name: 'read only', role: 'viewer' },
    });
    expect(less.json()).toMatchObject({ role: 'viewer' });
    const asViewer = { authorization: `Bearer ${less.json<{ token: string }>().token}` };
    expect((await api.app.inject({ url: '/api/accounts', headers: asViewer })).statusCode).toBe(403);
  });

  it('bad expiry is a 400 naming the field', async () => {
    const u = await userWithToken(api.store, 'viewer', 'exp');
    for (const [payload, field] of [
      [{ name: 'x', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
      [{ name: 'x', expiresAt: new Date(Date.now() + 1e6).toISOString(), expiresInDays: 3 }, 'expiresInDays'],
      [{ name: 'x', expiresInDays: 0 }, 'expiresInDays'],
      [{ name: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ name: '' }, 'name'],
    ] as const) {
      const res = await api.app.inject({ method: 'POST', url: '/api/tokens', headers: u.headers, payload });
      expect({ payload, status: res.statusCode }).toEqual({ payload, status: 400 });
      expect(res.json<Problem>().errors?.map((e) => e.field)).toContain(field);
    }
  });

  it('the bootstrap API_TOKEN is no user: it cannot create personal tokens (403 saying so)', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: AUTH,
      payload: { name: 'x' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json<Problem>().detail).toMatch(
      /bootstrap API_TOKEN is not a user.*npm run accounts -- token/,
    );
    expect((await api.app.inject({ url: '/api/tokens', headers: AUTH })).json()).toEqual({ items: [] });
  });

  it('revoked, expired and disabled users’ tokens get 401 with the reason', async () => {
    const u = await userWithToken(api.store, 'viewer', 'rita');
    expect((await api.app.inject({ url: '/api/connectors', headers: u.headers })).statusCode).toBe(200);
    const del = await api.app.inject({
      method: 'DELETE',
      url: `/api/tokens/${u.tokenId}`,
      headers: u.headers,
    });
    expect(del.json()).toMatchObject({ id: u.tokenId, state: 'revoked' });
    const after = await api.app.inject({ url: '/api/connectors', headers: u.headers });
    expect(after.statusCode).toBe(401);
    expect(after.json<Problem>().detail).toMatch(/revoked/);

    const tokens = new ApiTokensRepository(api.store.db);
    const short = await tokens.create({
      userId: u.user.id,
      name: 'short',
      role: 'viewer',
      expiresAt: new Date(Date.now() + 30).toISOString(),
    });
    await new Promise((r) => setTimeout(r, 50));
    const expired = await api.app.inject({
      url: '/api/connectors',
      headers: { authorization: `Bearer ${short.token}` },
    });
    expect(expired.statusCode).toBe(401);
    expect(expired.json<Problem>().detail).toMatch(/expired/);

    const d = await userWithToken(api.store, 'analyst', 'dora');
    expect((await api.app.inject({ url: '/api/connectors', headers: d.headers })).statusCode).toBe(200);
    await new AccountsRepository(api.store.db).update(d.user.id, { disabled: true });
    const disabled = await api.app.inject({ url: '/api/connectors', headers: d.headers });
    expect(disabled.statusCode).toBe(401);
    expect(disabled.json<Problem>().detail).toMatch(/disabled/);
    expect(disabled.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('a user revokes only their own; an admin revokes anyone’s', async () => {
    const a = await userWithToken(api.store, 'analyst', 'owner-a');
    const b = await userWithToken(api.store, 'analyst', 'other-b');
    const theirs = await api.app.inject({
      method: 'DELETE',
      url: `/api/tokens/${a.tokenId}`,
      headers: b.headers,
    });
    expect(theirs.statusCode).toBe(404);
    expect((await api.app.inject({ url: '/api/connectors', headers: a.headers })).statusCode).toBe(200);
    const admin = await userWithToken(api.store, 'admin', 'root-admin');
    const list = await api.app.inject({ url: `/api/tokens?user=owner-a`, headers: admin.headers });
    expect(list.json<{ items: Array<{ id: string }> }>().items.map((t) => t.id)).toEqual([a.tokenId]);
    expect((await api.app.inject({ url: `/api/tokens?user=owner-a`, headers: b.headers })).statusCode).toBe(
      403,
    );
    const byAdmin = await api.app.inject({
      method: 'DELETE',
      url: `/api/tokens/${a.tokenId}`,
      headers: admin.headers,
    });
    expect(byAdmin.json()).toMatchObject({ state: 'revoked' });
    expect((await api.app.inject({ url: '/api/connectors', headers: a.headers })).statusCode).toBe(401);
  });
});

describe('API_TOKEN_DISABLED', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ API_TOKEN_DISABLED: 'true' });
  });
  afterAll(() => api.close());

  it('refuses the bootstrap token with a 401 saying it is disabled; personal tokens still work', async () => {
    const res = await api.app.inject({ url: '/api/connectors', headers: AUTH });
    expect(res.statusCode).toBe(401);
    expect(res.json<Problem>().detail).toMatch(/bootstrap API_TOKEN is disabled.*API_TOKEN_DISABLED=true/);
    const u = await userWithToken(api.store, 'viewer');
    expect((await api.app.inject({ url: '/api/connectors', headers: u.headers })).statusCode).toBe(200);
    // Unknown paths under /api: 401 for the disabled token, 404 for a working one.
    expect((await api.app.inject({ url: '/api/nothing', headers: AUTH })).statusCode).toBe(401);
    expect((await api.app.inject({ url: '/api/nothing', headers: u.headers })).statusCode).toBe(404);
  });
});

describe('accounts (admin)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const post = (payload: object) =>
    api.app.inject({ method: 'POST', url: '/api/accounts', headers: AUTH, payload });

  it('creates, lists, reads; never answers a password hash', async () => {
    const res = await post({
      login: 'Zoe@Example.com',
      displayName: 'Zoe',
      role: 'analyst',
      password: TEST_PASSWORD,
    });
    expect(res.statusCode).toBe(201);
    const zoe = res.json<{ id: string }>();
    expect(zoe).toMatchObject({
      login: 'zoe@example.com',
      role: 'analyst',
      disabled: false,
      hasPassword: true,
    });
    const list = await api.app.inject({ url: '/api/accounts', headers: AUTH });
    const one = await api.app.inject({ url: `/api/accounts/${zoe.id}`, headers: AUTH });
    expect(one.json()).toMatchObject({ id: zoe.id, displayName: 'Zoe' });
    for (const body of [res.body, list.body, one.body]) {
      expect(body).not.toMatch(/argon2|password_hash|passwordHash/);
    }
    expect((await api.app.inject({ url: '/api/accounts/u_nope', headers: AUTH })).statusCode).toBe(404);
  });

  it('refuses short passwords, bad logins and duplicates with clear problems', async () => {
    const short = await post({ login: 'shorty', role: 'viewer', password: 'elevenchars' });
    expect(short.statusCode).toBe(400);
    expect(short.json<Problem>()).toMatchObject({ errors: [{ field: 'password' }] });
    expect(short.json<Problem>().detail).toMatch(/at least 12 characters/);
    const bad = await post({ login: 'has space', role: 'viewer' });
    expect(bad.json<Problem>()).toMatchObject({ status: 400, errors: [{ field: 'login' }] });
    expect((await post({ login: 'dup', role: 'viewer' })).statusCode).toBe(201);
    const dup = await post({ login: 'DUP', role: 'admin' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json<Problem>().detail).toMatch(/'dup' already exists/);
    expect((await post({ login: 'x', role: 'root' })).statusCode).toBe(400);
  });

  it('changes role, display name, disabled and resets a password', async () => {
    const created = (await post({ login: 'pat', role: 'viewer', password: TEST_PASSWORD })).json<{
      id: string;
    }>();
    const patch = (payload: object) =>
      api.app.inject({ method: 'PATCH', url: `/api/accounts/${created.id}`, headers: AUTH, payload });
    expect((await patch({ role: 'analyst', displayName: 'Pat P' })).json()).toMatchObject({
      role: 'analyst',
      displayName: 'Pat P',
    });
    expect((await patch({ password: 'short' })).statusCode).toBe(400);
    expect((await patch({})).statusCode).toBe(400);
    expect((await patch({ password: 'a brand new password' })).statusCode).toBe(200);
    const accounts = new AccountsRepository(api.store.db);
    expect(await accounts.verifyPassword('pat', 'a brand new password')).not.toBeNull();
    expect(await accounts.verifyPassword('pat', TEST_PASSWORD)).toBeNull();
    expect((await patch({ disabled: true })).json()).toMatchObject({ disabled: true });
  });

  it('the last enabled admin cannot be demoted or disabled (409)', async () => {
    const only = (await post({ login: 'solo-admin', role: 'admin' })).json<{ id: string }>();
    const res = await api.app.inject({
      method: 'PATCH',
      url: `/api/accounts/${only.id}`,
      headers: AUTH,
      payload: { role: 'viewer' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json<Problem>().detail).toMatch(/last enabled admin/);
    const second = (await post({ login: 'second-admin', role: 'admin' })).json<{ id: string }>();
    expect(second.id).toBeDefined();
    const now = await api.app.inject({
      method: 'PATCH',
      url: `/api/accounts/${only.id}`,
      headers: AUTH,
      payload: { disabled: true },
    });
    expect(now.statusCode).toBe(200);
  });
});

describe('audit', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await addConnector(api, 'c0ffee0000aa');
    api.temporal.running.add('connector/c0ffee0000aa/scan');
  });
  afterAll(() => api.close());

  interface Entry {
    action: string;
    actorKind: string;
    actorLogin: string;
    actorUserId: string | null;
    target: string | null;
    outcome: string;
    status: number;
    route: string;
    method: string;
    ip: string;
    detail: Record<string, unknown> | null;
  }
  const audit = async (query = '') => {
    const res = await api.app.inject({ url: `/api/audit${query}`, headers: AUTH });
    expect(res.statusCode).toBe(200);
    return res.json<{ items: Entry[]; nextCursor?: string }>();
  };

  it('records every state-changing request: who, what, target, outcome, status, ip; reads are not audited', async () => {
    const analyst = await userWithToken(api.store, 'analyst', 'ann');
    const viewer = await userWithToken(api.store, 'viewer', 'val');
    await api.app.inject({ url: '/api/connectors', headers: analyst.headers });
    const rescan = await api.app.inject({
      method: 'POST',
      url: '/api/connectors/c0ffee0000aa/rescan',
      headers: analyst.headers,
    });
    expect(rescan.statusCode).toBe(202);
    await api.app.inject({
      method: 'POST',
      url: '/api/connectors/c0ffee0000aa/rescan',
      headers: viewer.headers,
    });
    await api.app.inject({ method: 'POST', url: '/api/connectors/c0ffee0000aa/rescan' });
    await api.app.inject({
      method: 'POST',
      url: '/api/connectors/nope00000000/rescan',
      headers: analyst.headers,
    });

    const { items } = await audit();
    expect(items.map((e) => [e.action, e.actorLogin, e.outcome, e.status])).toEqual([
      ['connector.rescan', 'ann', 'failed', 404],
      ['connector.rescan', 'anonymous', 'denied', 401],
      ['connector.rescan', 'val', 'denied', 403],
      ['connector.rescan', 'ann', 'ok', 202],
    ]);
    expect(items[3]).toMatchObject({
      actorKind: 'personal-token',
      actorUserId: analyst.user.id,
      target: 'c0ffee0000aa',
      method: 'POST',
      route: '/api/connectors/:id/rescan',
      ip: '127.0.0.1',
    });
    expect(items[1]).toMatchObject({ actorKind: 'anonymous', actorUserId: null });
  });

  it('names created things and records token and account changes without secrets', async () => {
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/connectors',
      headers: AUTH,
      payload: { instanceName: 'Audited', dataCenter: 'US1' },
    });
    expect(created.statusCode).toBe(201);
    const u = await userWithToken(api.store, 'viewer', 'tess');
    const token = await api.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: u.headers,
      payload: { name: 'ci' },
    });
    const account = await api.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: AUTH,
      payload: { login: 'newbie', role: 'viewer', password: TEST_PASSWORD },
    });
    await api.app.inject({
      method: 'PATCH',
      url: `/api/accounts/${account.json<{ id: string }>().id}`,
      headers: AUTH,
      payload: { password: 'another long password' },
    });
    const { items } = await audit('?limit=4');
    expect(items.map((e) => e.action)).toEqual([
      'account.update',
      'account.create',
      'token.create',
      'connector.create',
    ]);
    expect(items[3]).toMatchObject({
      actorKind: 'api-token',
      actorLogin: 'api-token',
      target: created.json<{ id: string }>().id,
      detail: { instanceName: 'Audited', dataCenter: 'US1' },
    });
    expect(items[2]).toMatchObject({ actorLogin: 'tess', target: token.json<{ id: string }>().id });
    expect(items[0]!.detail).toMatchObject({ passwordReset: true });
    const everything = JSON.stringify(await api.store.db.selectFrom('audit_log').selectAll().execute());
    expect(everything).not.toContain(token.json<{ token: string }>().token);
    expect(everything).not.toContain('another long password');
    expect(everything).not.toContain(TEST_PASSWORD);
  });

  it('filters by actor, action, target, outcome, time, and pages with a cursor', async () => {
    expect((await audit('?actor=ann')).items).toHaveLength(2);
    expect((await audit('?outcome=denied')).items.map((e) => e.status).sort()).toEqual([401, 403]);
    expect((await audit('?action=token.create')).items).toHaveLength(1);
    expect((await audit('?target=c0ffee0000aa&outcome=ok')).items).toHaveLength(1);
    expect(
      (await audit(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items,
    ).toEqual([]);
    expect(
      (await audit(`?until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items.length,
    ).toBeGreaterThan(5);

    const all = (await audit()).items;
    const seen: Entry[] = [];
    let cursor: string | undefined;
    do {
      const page = await audit(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);

    const bad = await api.app.inject({ url: '/api/audit?cursor=garbage', headers: AUTH });
    expect(bad.statusCode).toBe(400);
    expect((await api.app.inject({ url: '/api/audit?outcome=maybe', headers: AUTH })).statusCode).toBe(400);
    expect((await api.app.inject({ url: '/api/audit?since=yesterday', headers: AUTH })).statusCode).toBe(400);
  });

  it('is admin-only', async () => {
    const analyst = await userWithToken(api.store, 'analyst');
    expect((await api.app.inject({ url: '/api/audit', headers: analyst.headers })).statusCode).toBe(403);
  });
});
