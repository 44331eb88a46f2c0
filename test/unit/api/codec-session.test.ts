import type { LightMyRequestResponse } from 'fastify';
import { defaultPayloadConverter } from '@temporalio/common';
import { payloadCodecOf } from '../../../config/payload-codec';
import { AccountsRepository } from '../../../store/accounts-repository';
import { sessionIdHash } from '../../../store/sessions-repository';
import { AUTH, startTestApi, type TestApi } from '../../helpers/api-server';

const UI = 'http://127.0.0.1:8233';
const PASSWORD = 'correct horse battery';
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** Signs in to the console (form with its CSRF token); answers the sign-in response. */
async function signIn(api: TestApi, login: string): Promise<LightMyRequestResponse> {
  const page = await api.app.inject({ url: '/console/sign-in' });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const res = await api.app.inject({
    method: 'POST',
    url: '/console/sign-in',
    cookies: Object.fromEntries(page.cookies.map((c) => [c.name, c.value])),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ login, password: PASSWORD, _csrf: csrf }).toString(),
  });
  expect(res.statusCode).toBe(303);
  return res;
}

const cookieOf = (res: LightMyRequestResponse, name: string) => res.cookies.find((c) => c.name === name);

describe('/codec accepts a signed-in console session (cb_codec_session) for decoding', () => {
  let api: TestApi;
  let accounts: AccountsRepository;
  let sealed: { metadata: Record<string, string>; data: string };

  beforeAll(async () => {
    api = await startTestApi();
    accounts = new AccountsRepository(api.store.db);
    for (const [login, role] of [
      ['vic', 'viewer'],
      ['ada', 'admin'],
      ['dan', 'viewer'],
    ] as const)
      await accounts.create({ login, displayName: login, password: PASSWORD, role });
    const [p] = await payloadCodecOf(api.config).encode([
      defaultPayloadConverter.toPayload({ adminLogin: 'admin@northwind.example' }),
    ]);
    sealed = {
      metadata: Object.fromEntries(Object.entries(p!.metadata!).map(([k, v]) => [k, b64(v)])),
      data: b64(p!.data!),
    };
  });
  afterAll(() => api.close());

  const decode = (cookie: string | undefined, headers: Record<string, string> = {}) =>
    api.app.inject({
      method: 'POST',
      url: '/codec/decode',
      payload: { payloads: [sealed] },
      headers: { 'x-namespace': 'default', ...headers },
      ...(cookie !== undefined && { cookies: { cb_codec_session: cookie } }),
    });
  const lastSeen = async (token: string) =>
    (
      await api.store.db
        .selectFrom('sessions')
        .select('last_seen_at')
        .where('id_hash', '=', sessionIdHash(token))
        .executeTakeFirstOrThrow()
    ).last_seen_at;

  it('sign-in sets the same token in a second cookie for /codec only, with the session cookie flags', async () => {
    const res = await signIn(api, 'vic');
    const consoleCookie = cookieOf(res, 'cb_session')!;
    const codecCookie = cookieOf(res, 'cb_codec_session')!;
    expect(codecCookie.value).toBe(consoleCookie.value);
    expect(codecCookie).toMatchObject({ path: '/codec', httpOnly: true, sameSite: 'Strict' });
    expect(codecCookie.secure).toBeFalsy(); // loopback http base URL
    expect(consoleCookie.path).toBe('/console');
  });

  it("a viewer's session decodes (clear text back), and a decode does not restart the session's idle clock", async () => {
    const token = cookieOf(await signIn(api, 'vic'), 'cb_codec_session')!.value;
    const before = await lastSeen(token);
    await new Promise((r) => setTimeout(r, 5));
    const res = await decode(token, { origin: UI });
    expect(res.statusCode).toBe(200);
    const [clear] = res.json<{ payloads: Array<{ data: string }> }>().payloads;
    expect(JSON.parse(Buffer.from(clear!.data, 'base64').toString('utf8'))).toEqual({
      adminLogin: 'admin@northwind.example',
    });
    expect(await lastSeen(token)).toBe(before);
    // The console's own pages do restart it.
    expect((await api.app.inject({ url: '/console', cookies: { cb_session: token } })).statusCode).toBe(200);
    expect(await lastSeen(token)).not.toBe(before);
  });

  it('signed out: the cookie is refused (401) and sign-out cleared both cookies', async () => {
    const signedIn = await signIn(api, 'vic');
    const token = cookieOf(signedIn, 'cb_session')!.value;
    expect((await decode(token)).statusCode).toBe(200);
    const home = await api.app.inject({ url: '/console', cookies: { cb_session: token } });
    const csrfCookies = Object.fromEntries(home.cookies.map((c) => [c.name, c.value]));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)![1]!;
    const out = await api.app.inject({
      method: 'POST',
      url: '/console/sign-out',
      cookies: { ...csrfCookies, cb_session: token },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(out.statusCode).toBe(303);
    expect(cookieOf(out, 'cb_session')?.value).toBe('');
    expect(cookieOf(out, 'cb_codec_session')).toMatchObject({ value: '', path: '/codec' });
    const refused = await decode(token, { origin: UI });
    expect(refused.statusCode).toBe(401);
    expect(refused.json<{ detail: string }>().detail).toContain('console session has ended');
    // The dead cookie is cleared, and the answer is still readable by the UI (to show its error).
    expect(cookieOf(refused, 'cb_codec_session')?.value).toBe('');
    expect(refused.headers['access-control-allow-origin']).toBe(UI);
  });

  it('refused when the session is idle too long or past its absolute end, or its user is disabled', async () => {
    const idle = cookieOf(await signIn(api, 'vic'), 'cb_codec_session')!.value;
    await api.store.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - api.config.console.sessionIdleMs - 1000).toISOString() })
      .where('id_hash', '=', sessionIdHash(idle))
      .execute();
    expect((await decode(idle)).statusCode).toBe(401);

    const ended = cookieOf(await signIn(api, 'vic'), 'cb_codec_session')!.value;
    await api.store.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id_hash', '=', sessionIdHash(ended))
      .execute();
    expect((await decode(ended)).statusCode).toBe(401);

    const dan = cookieOf(await signIn(api, 'dan'), 'cb_codec_session')!.value;
    expect((await decode(dan)).statusCode).toBe(200);
    const user = await api.store.db
      .selectFrom('users')
      .select('id')
      .where('login', '=', 'dan')
      .executeTakeFirstOrThrow();
    await accounts.update(user.id, { disabled: true });
    expect((await decode(dan)).statusCode).toBe(401);

    expect((await decode('x'.repeat(43))).statusCode).toBe(401);
  });

  it("an admin's session does not encode (403); the admin's bearer token still does, the bearer wins over a cookie", async () => {
    const token = cookieOf(await signIn(api, 'ada'), 'cb_codec_session')!.value;
    const byCookie = await api.app.inject({
      method: 'POST',
      url: '/codec/encode',
      payload: { payloads: [] },
      cookies: { cb_codec_session: token },
    });
    expect(byCookie.statusCode).toBe(403);
    const byBearer = await api.app.inject({
      method: 'POST',
      url: '/codec/encode',
      payload: { payloads: [] },
      headers: AUTH,
      cookies: { cb_codec_session: token },
    });
    expect(byBearer.statusCode).toBe(200);
    // A wrong bearer is refused even with a valid cookie: the Authorization header is checked alone.
    const wrongBearer = await decode(token, { authorization: 'Bearer nope' });
    expect(wrongBearer.statusCode).toBe(401);
  });

  it('CORS: credentials allowed (exact origin, Vary: Origin) only for CODEC_CORS_ORIGINS; preflight allows the headers the UI sends', async () => {
    const token = cookieOf(await signIn(api, 'vic'), 'cb_codec_session')!.value;
    const ok = await decode(token, { origin: UI });
    expect(ok.headers['access-control-allow-origin']).toBe(UI);
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect(String(ok.headers.vary)).toContain('Origin');
    const foreign = await decode(token, { origin: 'http://127.0.0.1:4000' });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect(foreign.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(foreign.headers.vary)).toContain('Origin');
    const preflight = await api.app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace,authorization',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(UI);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    const allowed = String(preflight.headers['access-control-allow-headers']).split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['content-type', 'x-namespace', 'authorization']));
    const evil = await api.app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.statusCode).toBe(403);
    expect(evil.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('a request a foreign page could send without a preflight (form or text body) is refused before decoding', async () => {
    const token = cookieOf(await signIn(api, 'vic'), 'cb_codec_session')!.value;
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])
      expect(
        (
          await api.app.inject({
            method: 'POST',
            url: '/codec/decode',
            payload: JSON.stringify({ payloads: [sealed] }),
            headers: { 'content-type': type, origin: 'https://evil.example' },
            cookies: { cb_codec_session: token },
          })
        ).statusCode,
      ).toBe(415);
  });
});
