import { sign } from '@fastify/cookie';
import type { LightMyRequestResponse } from 'fastify';
import { consoleKey } from '../../../api/console/console-session';
import {
  OIDC_COOKIE,
  decodeTransaction,
  encodeTransaction,
  mapRole,
} from '../../../api/console/oidc-sign-in';
import { AccountsRepository } from '../../../store/accounts-repository';
import { startTestApi, type TestApi } from '../../helpers/api-server';
import { authorizeAtProvider, startOidcProvider, type OidcFixture } from '../../helpers/oidc-provider';

const BASE = 'http://127.0.0.1:3999';
const CALLBACK = `${BASE}/console/oidc/callback`;
const KEY = 'ab'.repeat(32);

const users = {
  ann: {
    name: 'Ann Analyst',
    preferred_username: 'ann',
    email: 'ann@example.com',
    connect_box_role: 'analyst',
  },
  max: { name: 'Max', preferred_username: 'max', connect_box_role: ['cb-viewers', 'cb-admins'] },
  nora: { name: 'Nora No-role', preferred_username: 'nora' },
  will: { name: 'Will', preferred_username: 'will', connect_box_role: 'wizard' },
};

describe('single sign-on (OpenID Connect) against a local identity provider', () => {
  let provider: OidcFixture;
  let api: TestApi;
  beforeAll(async () => {
    provider = await startOidcProvider({
      clients: [{ client_id: 'connect-box', client_secret: 'fixture-secret', redirect_uris: [CALLBACK] }],
      users,
    });
    api = await startTestApi({
      PUBLIC_BASE_URL: BASE,
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: 'connect-box',
      OIDC_CLIENT_SECRET: 'fixture-secret',
      OIDC_ROLE_MAP: 'admin=admin,analyst=analyst,viewer=viewer,cb-admins=admin,cb-viewers=viewer',
      // Each test starts and finishes sign-ons: more than the default budget of a minute.
      SIGN_IN_RATE_LIMIT: '500',
    });
  });
  afterAll(async () => {
    await api?.close();
    await provider?.stop();
  });

  /** Starts a sign-on: the provider URL and this browser's transaction cookie. */
  async function start() {
    const res = await api.app.inject({ url: '/console/sign-in/oidc' });
    expect(res.statusCode).toBe(303);
    const cookie = res.cookies.find((c) => c.name === OIDC_COOKIE)!;
    return { url: res.headers.location!, cookie, res };
  }

  /** The callback as the browser would call it. */
  function callback(back: URL, cookie?: string): Promise<LightMyRequestResponse> {
    return api.app.inject({
      url: `${back.pathname}${back.search}`,
      cookies: cookie ? { [OIDC_COOKIE]: cookie } : {},
    });
  }

  async function lastAudit() {
    return api.store.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
  }

  it('starts the code flow with PKCE (S256), state and nonce, kept in a signed Lax cookie of the callback path', async () => {
    const { url, cookie } = await start();
    const auth = new URL(url);
    expect(auth.origin).toBe(provider.issuer);
    expect(auth.searchParams.get('response_type')).toBe('code');
    expect(auth.searchParams.get('client_id')).toBe('connect-box');
    expect(auth.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.searchParams.get('scope')).toBe('openid profile email');
    expect(cookie).toMatchObject({ path: '/console/oidc', httpOnly: true, sameSite: 'Lax', maxAge: 600 });
    // The cookie holds the state and nonce of the URL (and the verifier, which the URL does not).
    const tx = decodeTransaction(cookie.value.slice(0, cookie.value.lastIndexOf('.')))!;
    expect(tx.state).toBe(auth.searchParams.get('state'));
    expect(tx.nonce).toBe(auth.searchParams.get('nonce'));
    expect(url).not.toContain(tx.verifier);
  });

  it('signs a user in with the role mapped from the claim, and answers a page that continues to /console', async () => {
    const { url, cookie } = await start();
    const back = await authorizeAtProvider(url, 'ann');
    const res = await callback(back, cookie.value);
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<meta http-equiv="refresh" content="0;url=\/console" ?\/?>/);
    const session = res.cookies.find((c) => c.name === 'cb_session')!;
    expect(session).toMatchObject({ path: '/console', httpOnly: true, sameSite: 'Strict' });
    // Its twin for the codec endpoint (the Web UI of this browser decodes with it).
    expect(res.cookies.find((c) => c.name === 'cb_codec_session')).toMatchObject({
      value: session.value,
      path: '/codec',
      httpOnly: true,
      sameSite: 'Strict',
    });
    const decoded = await api.app.inject({
      method: 'POST',
      url: '/codec/decode',
      payload: { payloads: [] },
      cookies: { cb_codec_session: session.value },
    });
    expect(decoded.statusCode).toBe(200);
    // The transaction is single use: its cookie is cleared.
    expect(res.cookies.find((c) => c.name === OIDC_COOKIE)?.value).toBe('');
    const home = await api.app.inject({ url: '/console', cookies: { cb_session: session.value } });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('<dd id="user-role">analyst</dd>');
    const user = await api.store.db
      .selectFrom('users')
      .selectAll()
      .where('login', '=', 'ann')
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      oidc_issuer: provider.issuer,
      oidc_subject: 'ann',
      role: 'analyst',
      password_hash: null,
    });
    expect(await lastAudit()).toMatchObject({ action: 'session.sign-in', outcome: 'ok', actor_login: 'ann' });
    // Neither the code nor the state reaches the log.
    const logged = api.logs.lines.join('\n');
    expect(logged).toContain('/console/oidc/callback?[redacted]');
    expect(logged).not.toContain(back.searchParams.get('code')!);
    expect(logged).not.toContain(back.searchParams.get('state')!);
    // The same callback again (a replayed code, and no transaction any more) signs no one in.
    const replay = await callback(back, cookie.value);
    expect(replay.statusCode).toBe(400);
  });

  it('with several claim values the highest mapped role wins', async () => {
    const { url, cookie } = await start();
    const res = await callback(await authorizeAtProvider(url, 'max'), cookie.value);
    expect(res.statusCode).toBe(200);
    const user = await api.store.db
      .selectFrom('users')
      .selectAll()
      .where('login', '=', 'max')
      .executeTakeFirstOrThrow();
    expect(user.role).toBe('admin');
  });

  it('refuses a user whose claim is absent or maps to no role (no default role configured)', async () => {
    for (const login of ['nora', 'will']) {
      const { url, cookie } = await start();
      const res = await callback(await authorizeAtProvider(url, login), cookie.value);
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain(
        login === 'nora' ? 'is absent' : '&#39;wizard&#39;, which OIDC_ROLE_MAP does not map',
      );
      expect(res.cookies.find((c) => c.name === 'cb_session')).toBeUndefined();
      expect(await lastAudit()).toMatchObject({ action: 'session.sign-in', outcome: 'denied' });
      expect(JSON.parse((await lastAudit()).detail!)).toEqual({ method: 'oidc', reason: 'no-role' });
    }
  });

  it("a callback without this browser's transaction cookie is refused, and so is a tampered cookie", async () => {
    const { url, cookie } = await start();
    const back = await authorizeAtProvider(url, 'ann');
    const none = await callback(back);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('No single sign-on was started in this browser');
    const tampered = await callback(
      back,
      cookie.value.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    );
    expect(tampered.statusCode).toBe(400);
    expect(tampered.body).toContain('No single sign-on was started in this browser');
    expect(JSON.parse((await lastAudit()).detail!)).toEqual({ method: 'oidc', reason: 'no-transaction' });
  });

  it('a callback whose state is not the one this browser started is refused', async () => {
    const first = await start();
    const second = await start();
    // The answer to the first sign-on arrives in a browser whose transaction is the second one's.
    const res = await callback(await authorizeAtProvider(first.url, 'ann'), second.cookie.value);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The answer&#39;s state does not match the sign-in this browser started');
    expect(res.cookies.find((c) => c.name === 'cb_session')).toBeUndefined();
  });

  it("an ID token whose nonce is not the transaction's is refused (the code is not accepted)", async () => {
    const { url, cookie } = await start();
    const tx = decodeTransaction(cookie.value.slice(0, cookie.value.lastIndexOf('.')))!;
    const forged = sign(
      encodeTransaction({ ...tx, nonce: 'some-other-nonce-0123456789' }),
      consoleKey(Buffer.from(KEY, 'hex'), 'cookies'),
    );
    const res = await callback(await authorizeAtProvider(url, 'ann'), forged);
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/could not be verified: .*unexpected ID Token &quot;nonce&quot; claim value/);
    expect(JSON.parse((await lastAudit()).detail!)).toEqual({
      method: 'oidc',
      reason: 'verification-failed',
    });
  });

  it('a code redeemed with another PKCE verifier is refused by the provider', async () => {
    const { url, cookie } = await start();
    const tx = decodeTransaction(cookie.value.slice(0, cookie.value.lastIndexOf('.')))!;
    const forged = sign(
      encodeTransaction({ ...tx, verifier: 'x'.repeat(43) }),
      consoleKey(Buffer.from(KEY, 'hex'), 'cookies'),
    );
    const res = await callback(await authorizeAtProvider(url, 'ann'), forged);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('could not be verified: invalid_grant');
  });

  it("the provider's error (the user denied access) is a 403 page that says so", async () => {
    const { url, cookie } = await start();
    const state = new URL(url).searchParams.get('state')!;
    const back = new URL(
      `${CALLBACK}?error=access_denied&error_description=End-User+aborted+interaction&state=${state}`,
    );
    const res = await callback(back, cookie.value);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain(
      'The identity provider refused the sign-in: access_denied (End-User aborted interaction).',
    );
  });

  it('a disabled OIDC user is refused', async () => {
    await api.store.db.updateTable('users').set({ disabled: 1 }).where('login', '=', 'ann').execute();
    try {
      const { url, cookie } = await start();
      const res = await callback(await authorizeAtProvider(url, 'ann'), cookie.value);
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('This account is disabled');
    } finally {
      await api.store.db.updateTable('users').set({ disabled: 0 }).where('login', '=', 'ann').execute();
    }
  });

  it('an identity whose login is a local account is refused (single sign-on takes over no account)', async () => {
    const other = await startTestApi({
      PUBLIC_BASE_URL: BASE,
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: 'connect-box',
      OIDC_CLIENT_SECRET: 'fixture-secret',
      OIDC_DEFAULT_ROLE: 'viewer',
    });
    try {
      await new AccountsRepository(other.store.db).create({
        login: 'will',
        role: 'viewer',
        password: 'a local password!',
      });
      const started = await other.app.inject({ url: '/console/sign-in/oidc' });
      const cookie = started.cookies.find((c) => c.name === OIDC_COOKIE)!;
      const back = await authorizeAtProvider(started.headers.location!, 'will');
      const res = await other.app.inject({
        url: `${back.pathname}${back.search}`,
        cookies: { [OIDC_COOKIE]: cookie.value },
      });
      expect(res.statusCode).toBe(409);
      expect(res.body).toContain('already a local connect-box account');
      // With the default role, a user without a claim is let in as a viewer.
      const again = await other.app.inject({ url: '/console/sign-in/oidc' });
      const back2 = await authorizeAtProvider(again.headers.location!, 'nora');
      const ok = await other.app.inject({
        url: `${back2.pathname}${back2.search}`,
        cookies: { [OIDC_COOKIE]: again.cookies.find((c) => c.name === OIDC_COOKIE)!.value },
      });
      expect(ok.statusCode).toBe(200);
      const nora = await other.store.db
        .selectFrom('users')
        .selectAll()
        .where('login', '=', 'nora')
        .executeTakeFirstOrThrow();
      expect(nora.role).toBe('viewer');
    } finally {
      await other.close();
    }
  });
});

describe('single sign-on when it is not configured or the provider is down', () => {
  it('is a 404 page without OIDC settings, and the sign-in page offers no link to it', async () => {
    const api = await startTestApi();
    try {
      const res = await api.app.inject({ url: '/console/sign-in/oidc' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('Single sign-on is not configured');
      expect((await api.app.inject({ url: '/console/sign-in' })).body).not.toContain('/console/sign-in/oidc');
    } finally {
      await api.close();
    }
  });

  it('is a 503 page when the identity provider cannot be reached', async () => {
    const api = await startTestApi({
      OIDC_ISSUER_URL: 'http://127.0.0.1:9/',
      OIDC_CLIENT_ID: 'connect-box',
      OIDC_CLIENT_SECRET: 'fixture-secret',
    });
    try {
      const res = await api.app.inject({ url: '/console/sign-in/oidc' });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('could not be reached');
    } finally {
      await api.close();
    }
  });
});

describe('mapRole', () => {
  const settings = { roleMap: { a: 'admin', v: 'viewer', an: 'analyst' } as const, defaultRole: undefined };
  it('takes the highest mapped role, ignores unmapped values, and falls back to the default role', () => {
    expect(mapRole(['v', 'an', 'zzz'], settings)).toBe('analyst');
    expect(mapRole(['zzz'], settings)).toBeUndefined();
    expect(mapRole([], { ...settings, defaultRole: 'viewer' })).toBe('viewer');
    expect(mapRole(['toString', '__proto__'], settings)).toBeUndefined();
  });
});
