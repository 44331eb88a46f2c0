import type { LightMyRequestResponse } from 'fastify';
import { routesOf } from '../../../api/server';
import { AccountsRepository } from '../../../store/accounts-repository';
import { sessionIdHash } from '../../../store/sessions-repository';
import { startTestApi, type TestApi } from '../../helpers/api-server';

const PASSWORD = 'correct horse battery';
const FAILED =
  'The login or the password is wrong. After 3 failed attempts in a row an account is locked for 15 minutes.';

/** A browser for inject: keeps the cookies the console sets, sends forms with the page's CSRF token. */
class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly api: TestApi) {}

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(await this.api.app.inject({ url, cookies: Object.fromEntries(this.cookies) }));
  }

  async post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.api.app.inject({
        method: 'POST',
        url,
        cookies: Object.fromEntries(this.cookies),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form).toString(),
      }),
    );
  }

  /** Posts a form of the page at `pageUrl` (with the CSRF token it carries). */
  async submit(
    pageUrl: string,
    action: string,
    form: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl);
    return this.post(action, { ...form, _csrf: csrfOf(page.body) });
  }

  signIn(login: string, password: string): Promise<LightMyRequestResponse> {
    return this.submit('/console/sign-in', '/console/sign-in', { login, password });
  }
}

function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no CSRF field in:\n${html.slice(0, 400)}`);
  return m[1]!;
}

async function auditActions(api: TestApi) {
  const rows = await api.store.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ action: r.action, outcome: r.outcome, actor: r.actor_login, target: r.target }));
}

describe('console sign-in, sessions and CSRF', () => {
  let api: TestApi;
  let accounts: AccountsRepository;
  beforeEach(async () => {
    api = await startTestApi({ SIGN_IN_LOCK_AFTER: '3', SIGN_IN_RATE_LIMIT: '50' });
    accounts = new AccountsRepository(api.store.db);
    await accounts.create({ login: 'ann', displayName: 'Ann Analyst', password: PASSWORD, role: 'analyst' });
  });
  afterEach(() => api.close());

  it('signs in with the password: a session cookie HttpOnly, SameSite=Strict, Path=/console, no Secure over loopback http', async () => {
    const b = new Browser(api);
    const res = await b.signIn('ann', PASSWORD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console');
    const cookie = res.cookies.find((c) => c.name === 'cb_session')!;
    expect(cookie).toMatchObject({ path: '/console', httpOnly: true, sameSite: 'Strict' });
    expect(cookie.secure).toBeUndefined();
    expect(cookie.maxAge).toBeUndefined();
    // Only the hash of the cookie is stored.
    const rows = await api.store.db.selectFrom('sessions').selectAll().execute();
    expect(rows.map((r) => r.id_hash)).toEqual([sessionIdHash(cookie.value)]);
    const home = await b.get('/console');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('<dd id="user-role">analyst</dd>');
    expect(home.body).toContain('after 30 minutes without activity');
    expect(home.headers['cache-control']).toBe('no-store');
    expect(await auditActions(api)).toEqual([
      { action: 'session.sign-in', outcome: 'ok', actor: 'ann', target: 'ann' },
    ]);
  });

  it('the cookies carry Secure when PUBLIC_BASE_URL is https', async () => {
    const https = await startTestApi({ PUBLIC_BASE_URL: 'https://cb.example.com' });
    try {
      await new AccountsRepository(https.store.db).create({
        login: 'ann',
        password: PASSWORD,
        role: 'viewer',
      });
      const b = new Browser(https);
      const page = await b.get('/console/sign-in');
      expect(page.cookies.find((c) => c.name === 'cb_csrf')).toMatchObject({
        secure: true,
        sameSite: 'Strict',
      });
      const res = await b.signIn('ann', PASSWORD);
      expect(res.cookies.find((c) => c.name === 'cb_session')).toMatchObject({
        secure: true,
        httpOnly: true,
        sameSite: 'Strict',
        path: '/console',
      });
      expect(res.cookies.find((c) => c.name === 'cb_codec_session')).toMatchObject({
        secure: true,
        httpOnly: true,
        sameSite: 'Strict',
        path: '/codec',
      });
    } finally {
      await https.close();
    }
  });

  it('the console CSP lets its forms post to itself; other pages keep the strict CSP', async () => {
    const page = await api.app.inject({ url: '/console/sign-in' });
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    const other = await api.app.inject({ url: '/problems/forbidden' });
    expect(other.headers['content-security-policy']).toContain("form-action 'none'");
  });

  it('an unknown login and a wrong password get the same page and status', async () => {
    const b = new Browser(api);
    const unknown = await b.signIn('nobody', PASSWORD);
    const wrong = await b.signIn('ann', 'not the password');
    for (const res of [unknown, wrong]) {
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain(FAILED);
      expect(res.cookies.find((c) => c.name === 'cb_session')).toBeUndefined();
    }
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    expect(strip(unknown.body)).toBe(strip(wrong.body));
    expect(await auditActions(api)).toEqual([
      { action: 'session.sign-in', outcome: 'denied', actor: 'anonymous', target: null },
      { action: 'session.sign-in', outcome: 'denied', actor: 'anonymous', target: 'ann' },
    ]);
  });

  it('locks an account after N failures in a row: even the right password is refused, with the same message, until the lock ends', async () => {
    const b = new Browser(api);
    for (let i = 0; i < 3; i++) expect((await b.signIn('ann', `wrong ${i}`)).statusCode).toBe(401);
    const user = (await accounts.findByLogin('ann'))!;
    expect(Date.parse(user.locked_until!)).toBeGreaterThan(Date.now() + 14 * 60_000);
    const locked = await b.signIn('ann', PASSWORD);
    expect(locked.statusCode).toBe(401);
    expect(locked.body).toContain(FAILED);
    const actions = await auditActions(api);
    expect(actions.filter((a) => a.action === 'session.lockout')).toEqual([
      { action: 'session.lockout', outcome: 'denied', actor: 'anonymous', target: 'ann' },
    ]);
    const last = await api.store.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(last.detail!)).toEqual({ method: 'password', reason: 'locked' });
    // The lock ends: the right password works again, and the count starts from zero.
    await api.store.db
      .updateTable('users')
      .set({ locked_until: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', user.id)
      .execute();
    expect((await b.signIn('ann', PASSWORD)).statusCode).toBe(303);
    expect((await accounts.findByLogin('ann'))!.failed_sign_ins).toBe(0);
  });

  it('the sign-in form is rate limited per client (429 page)', async () => {
    const limited = await startTestApi({ SIGN_IN_RATE_LIMIT: '2' });
    try {
      const b = new Browser(limited);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await b.signIn('x', 'y')).statusCode);
      expect(statuses).toEqual([401, 401, 429]);
      const last = await b.signIn('x', 'y');
      expect(last.headers['content-type']).toContain('text/html');
      expect(last.body).toContain('/problems/rate-limited');
    } finally {
      await limited.close();
    }
  });

  it('gives a new session id at every sign-in, never one the browser brought (no session fixation)', async () => {
    const b = new Browser(api);
    // A cookie planted before sign-in (by someone who wants to know the session id afterwards).
    const planted = 'x'.repeat(43);
    b.cookies.set('cb_session', planted);
    const res = await b.signIn('ann', PASSWORD);
    expect(res.statusCode).toBe(303);
    const first = b.cookies.get('cb_session')!;
    expect(first).not.toBe(planted);
    expect((await api.app.inject({ url: '/console', cookies: { cb_session: planted } })).statusCode).toBe(
      303,
    );
    // Signed in, the sign-in page sends the browser on to the console.
    expect((await b.get('/console/sign-in')).headers.location).toBe('/console');
    await b.submit('/console', '/console/sign-out');
    await b.signIn('ann', PASSWORD);
    const second = b.cookies.get('cb_session')!;
    expect(second).not.toBe(first);
    expect((await api.app.inject({ url: '/console', cookies: { cb_session: first } })).statusCode).toBe(303);
    expect((await b.get('/console')).statusCode).toBe(200);
  });

  it('sign-out ends the session at once: the old cookie no longer opens anything', async () => {
    const b = new Browser(api);
    await b.signIn('ann', PASSWORD);
    const token = b.cookies.get('cb_session')!;
    const out = await b.submit('/console', '/console/sign-out');
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/console/sign-in?reason=signed-out');
    expect(out.cookies.find((c) => c.name === 'cb_session')?.value).toBe('');
    expect(await api.store.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
    const replay = await api.app.inject({ url: '/console', cookies: { cb_session: token } });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toBe('/console/sign-in?reason=expired');
    expect((await auditActions(api)).map((a) => a.action)).toEqual(['session.sign-in', 'session.sign-out']);
  });

  it('a session idle longer than SESSION_IDLE_TIMEOUT ends, and so does one past SESSION_LIFETIME', async () => {
    for (const column of ['last_seen_at', 'expires_at'] as const) {
      const b = new Browser(api);
      await b.signIn('ann', PASSWORD);
      expect((await b.get('/console')).statusCode).toBe(200);
      const past = new Date(Date.now() - (column === 'last_seen_at' ? 31 * 60_000 : 1000)).toISOString();
      await api.store.db
        .updateTable('sessions')
        .set({ [column]: past })
        .execute();
      const res = await b.get('/console');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/console/sign-in?reason=expired');
      expect((await b.get(res.headers.location!)).body).toMatch(/Your session has ended: sign in\s+again\./);
      expect(await api.store.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
    }
  });

  it("a disabled user's session ends at once", async () => {
    const b = new Browser(api);
    await b.signIn('ann', PASSWORD);
    const user = (await accounts.findByLogin('ann'))!;
    await accounts.update(user.id, { disabled: true });
    expect((await b.get('/console')).statusCode).toBe(303);
    // And a disabled user cannot sign in again (the same message as any failure).
    const again = await b.signIn('ann', PASSWORD);
    expect(again.statusCode).toBe(401);
    expect(again.body).toContain(FAILED);
  });

  it('a console POST without a CSRF token, with a wrong one, or with one of another session is a 403 problem page', async () => {
    const b = new Browser(api);
    await b.signIn('ann', PASSWORD);
    const before = await api.store.db.selectFrom('sessions').selectAll().execute();
    const other = new Browser(api);
    await other.signIn('ann', PASSWORD);
    const othersToken = csrfOf((await other.get('/console')).body);
    for (const form of [{}, { _csrf: 'wrong' }, { _csrf: othersToken }] as Array<Record<string, string>>) {
      const res = await b.post('/console/sign-out', form);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('/problems/forbidden');
      expect(res.body).toContain('CSRF');
    }
    // Nothing happened: the session is still there and works.
    const after = await api.store.db.selectFrom('sessions').selectAll().execute();
    expect(after.map((s) => s.id_hash)).toEqual(expect.arrayContaining(before.map((s) => s.id_hash)));
    expect((await b.get('/console')).statusCode).toBe(200);
    // The sign-in form needs its token too.
    const noToken = await new Browser(api).post('/console/sign-in', { login: 'ann', password: PASSWORD });
    expect(noToken.statusCode).toBe(403);
  });

  it('every console route but the sign-in routes needs a session: GET goes to sign-in, POST is a 401 page', async () => {
    const routes = routesOf(api.app).filter((r) => r.access === 'session' && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThanOrEqual(5);
    for (const r of routes) {
      const url = r.url.replace(':id', 't_x');
      const res = await api.app.inject({
        method: r.method as 'GET' | 'POST',
        url,
        cookies: { cb_session: 'y'.repeat(43) },
      });
      if (r.method === 'GET') {
        expect({ url, status: res.statusCode, location: res.headers.location }).toEqual({
          url,
          status: 303,
          location: '/console/sign-in?reason=expired',
        });
      } else {
        expect({ url, status: res.statusCode }).toEqual({ url, status: 401 });
        expect(res.body).toContain('/problems/unauthorized');
      }
    }
  });

  it('personal tokens: created in the page and shown once, carrying the role or less, revoked in the page', async () => {
    const b = new Browser(api);
    await b.signIn('ann', PASSWORD);
    const tooHigh = await b.submit('/console/tokens', '/console/tokens', { name: 'ci', role: 'admin' });
    expect(tooHigh.statusCode).toBe(403);
    const created = await b.submit('/console/tokens', '/console/tokens', {
      name: 'ci',
      role: 'viewer',
      expiresInDays: '30',
    });
    expect(created.statusCode).toBe(200);
    const token = /<code class="secret" id="new-token">([^<]+)<\/code>/.exec(created.body)![1]!;
    expect(token).toMatch(/^cbx_pat_/);
    const list = await b.get('/console/tokens');
    expect(list.body).toMatch(/<td>ci<\/td>\s*<td>viewer<\/td>/);
    expect(list.body).not.toContain(token);
    // The token opens /api with its role.
    const apiRes = await api.app.inject({
      url: '/api/connectors',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(apiRes.statusCode).toBe(200);
    const id = /data-token-id="([^"]+)"/.exec(list.body)![1]!;
    // Someone else cannot revoke it.
    await accounts.create({ login: 'bob', password: PASSWORD, role: 'admin' });
    const bob = new Browser(api);
    await bob.signIn('bob', PASSWORD);
    expect((await bob.submit('/console/tokens', `/console/tokens/${id}/revoke`)).statusCode).toBe(404);
    const revoked = await b.submit('/console/tokens', `/console/tokens/${id}/revoke`);
    expect(revoked.statusCode).toBe(303);
    expect((await b.get('/console/tokens')).body).toMatch(/class="state">revoked/);
    const refused = await api.app.inject({
      url: '/api/connectors',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.statusCode).toBe(401);
    const actions = (await auditActions(api)).filter((a) => a.action.startsWith('token.'));
    expect(actions).toEqual([
      { action: 'token.create', outcome: 'ok', actor: 'ann', target: id },
      { action: 'token.revoke', outcome: 'ok', actor: 'ann', target: id },
    ]);
  });

  it('a bad form is a 400 problem page naming the field', async () => {
    const b = new Browser(api);
    await b.signIn('ann', PASSWORD);
    const res = await b.submit('/console/tokens', '/console/tokens', { name: '', role: 'viewer' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('give the token a name');
  });
});
