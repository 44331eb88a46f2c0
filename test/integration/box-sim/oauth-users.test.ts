/** Contract: OAuth (consent, code, refresh, revoke) and users, through box-node-sdk. */
import { BoxOAuth, OAuthConfig } from 'box-node-sdk';
import { BoxApiError, InMemoryTokenStorage } from 'box-node-sdk/box';
import { startBoxSim, type BoxSim } from '../../../box-sim';
import { REDIRECT_URI, connectAs, consent, simSession } from './sdk-session';

describe('box-sim OAuth and users through box-node-sdk', () => {
  let sim: BoxSim;
  let clock = Date.now();

  beforeAll(async () => {
    sim = await startBoxSim({ seed: 7, users: 12, files: 200, now: () => clock });
  });
  afterAll(async () => {
    await sim.close();
  });

  test('the consent page offers the accounts in a form with stable field names', async () => {
    const html = await (await fetch(sim.authorizeUrl({ redirectUri: REDIRECT_URI, state: 'abc' }))).text();
    expect(html).toContain('<select id="login" name="login">');
    expect(html).toContain('name="action" value="allow"');
    expect(html).toContain('name="action" value="deny"');
    expect(html).toContain(sim.manifest.admin.login);
    expect(html).toContain('personal account, no enterprise');
  });

  test('the consent page refuses an unknown client or a missing redirect_uri', async () => {
    expect((await fetch(sim.authorizeUrl({ redirectUri: REDIRECT_URI, clientId: 'other-app' }))).status).toBe(
      400,
    );
    expect(
      (await fetch(`${sim.oauth2Url}/authorize?client_id=${sim.clientId}&response_type=code`)).status,
    ).toBe(400);
  });

  test('Allow redirects with code and state; Deny with error=access_denied and state', async () => {
    const allowed = await consent(sim, sim.manifest.admin.login, { state: 's-allow' });
    expect(allowed.origin + allowed.pathname).toBe(REDIRECT_URI);
    expect(allowed.searchParams.get('code')).toMatch(/^\w{32}$/);
    expect(allowed.searchParams.get('state')).toBe('s-allow');
    const denied = await consent(sim, sim.manifest.admin.login, { action: 'deny', state: 's-deny' });
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('s-deny');
    expect(denied.searchParams.get('code')).toBeNull();
  });

  test('an authorization code is single use and lives 30 seconds', async () => {
    const newAuth = () =>
      new BoxOAuth({
        config: new OAuthConfig({
          clientId: sim.clientId,
          clientSecret: sim.clientSecret,
          tokenStorage: new InMemoryTokenStorage({}),
        }),
      });
    const code = (await consent(sim, sim.manifest.admin.login)).searchParams.get('code')!;
    const token = await newAuth().getTokensAuthorizationCodeGrant(code, simSession(sim));
    expect(token.accessToken).toBeTruthy();
    expect(token.refreshToken).toBeTruthy();
    expect(token.expiresIn).toBe(3600);
    await expect(newAuth().getTokensAuthorizationCodeGrant(code, simSession(sim))).rejects.toMatchObject({
      responseInfo: { statusCode: 400, body: { error: 'invalid_grant' } },
    });

    const late = (await consent(sim, sim.manifest.admin.login)).searchParams.get('code')!;
    clock += 31_000;
    await expect(newAuth().getTokensAuthorizationCodeGrant(late, simSession(sim))).rejects.toMatchObject({
      responseInfo: { statusCode: 400, body: { error: 'invalid_grant' } },
    });
  });

  test('the token endpoint rejects wrong client credentials', async () => {
    const code = (await consent(sim, sim.manifest.admin.login)).searchParams.get('code')!;
    const auth = new BoxOAuth({
      config: new OAuthConfig({
        clientId: sim.clientId,
        clientSecret: 'wrong',
        tokenStorage: new InMemoryTokenStorage({}),
      }),
    });
    await expect(auth.getTokensAuthorizationCodeGrant(code, simSession(sim))).rejects.toMatchObject({
      responseInfo: { statusCode: 400, body: { error: 'invalid_client' } },
    });
  });

  test('users/me returns the authorizing account with its role and enterprise', async () => {
    const { client } = await connectAs(sim, sim.manifest.admin.login);
    const me = await client.users.getUserMe({ fields: ['role', 'login', 'enterprise', 'name'] });
    expect(me.id).toBe(sim.manifest.admin.id);
    expect(me.role).toBe('admin');
    expect(me.enterprise?.id).toBe(sim.manifest.enterpriseId);
    const personal = sim.manifest.users.find((u) => !u.inEnterprise)!;
    const { client: personalClient } = await connectAs(sim, personal.login);
    const someone = await personalClient.users.getUserMe({ fields: ['enterprise', 'role'] });
    expect(someone.enterprise ?? null).toBeNull();
  });

  test('users are listed with marker paging and roles admin, coadmin and user', async () => {
    const { client } = await connectAs(sim, sim.manifest.admin.login);
    const seen: Array<{ id: string; role?: string }> = [];
    let marker: string | undefined;
    for (let page = 0; page < 20; page++) {
      const users = await client.users.getUsers({
        usemarker: true,
        limit: 5,
        fields: ['role', 'login', 'name'],
        ...(marker ? { marker } : {}),
      });
      for (const u of users.entries ?? []) seen.push({ id: u.id, ...(u.role ? { role: u.role } : {}) });
      marker = users.nextMarker ?? undefined;
      if (!marker) break;
    }
    const enterprise = sim.manifest.users.filter((u) => u.inEnterprise);
    expect(seen.map((u) => u.id)).toEqual(enterprise.map((u) => u.id));
    expect(new Set(seen.map((u) => u.role))).toEqual(new Set(['admin', 'coadmin', 'user']));
  });

  test('getUserById: admins see any enterprise user, a user only themselves', async () => {
    const { client } = await connectAs(sim, sim.manifest.admin.login);
    const plain = sim.manifest.users.find((u) => u.role === 'user' && u.inEnterprise)!;
    expect(
      (await client.users.getUserById(plain.id, { queryParams: { fields: ['role', 'login'] } })).role,
    ).toBe('user');
    const { client: plainClient } = await connectAs(sim, plain.login);
    expect((await plainClient.users.getUserById(plain.id)).id).toBe(plain.id);
    await expect(plainClient.users.getUserById(sim.manifest.admin.id)).rejects.toMatchObject({
      responseInfo: { statusCode: 404 },
    });
  });

  test('a plain user cannot list users (403)', async () => {
    const plain = sim.manifest.users.find((u) => u.role === 'user' && u.inEnterprise)!;
    const { client } = await connectAs(sim, plain.login);
    await expect(client.users.getUsers()).rejects.toMatchObject({
      responseInfo: { statusCode: 403, body: { code: 'access_denied_insufficient_permissions' } },
    });
  });

  test('As-User: an admin acts as anyone, a co-admin not as an admin, a user as nobody', async () => {
    const admin = await connectAs(sim, sim.manifest.admin.login);
    const coadmin = sim.manifest.coadmins[0]!;
    const plain = sim.manifest.users.find((u) => u.role === 'user' && u.inEnterprise)!;
    expect((await admin.client.withAsUserHeader(plain.id).users.getUserMe()).id).toBe(plain.id);
    expect((await admin.client.withAsUserHeader(coadmin.id).users.getUserMe()).id).toBe(coadmin.id);
    const co = await connectAs(sim, coadmin.login);
    expect((await co.client.withAsUserHeader(plain.id).users.getUserMe()).id).toBe(plain.id);
    await expect(co.client.withAsUserHeader(sim.manifest.admin.id).users.getUserMe()).rejects.toMatchObject({
      responseInfo: { statusCode: 403 },
    });
    const user = await connectAs(sim, plain.login);
    await expect(user.client.withAsUserHeader(coadmin.id).users.getUserMe()).rejects.toBeInstanceOf(
      BoxApiError,
    );
  });

  test('an expired access token gets 401; the SDK refreshes, and refresh tokens rotate and are single use', async () => {
    const { client, storage, auth, session } = await connectAs(sim, sim.manifest.admin.login);
    const before = (await storage.get())!;
    expect(sim.control.expireAccessTokens(before.accessToken)).toBe(1);
    const me = await client.users.getUserMe();
    expect(me.id).toBe(sim.manifest.admin.id);
    const after = (await storage.get())!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    // Reusing the old refresh token fails like Box: 400 invalid_grant.
    await storage.store(before);
    await expect(auth.refreshToken(session)).rejects.toMatchObject({
      responseInfo: { statusCode: 400, body: { error: 'invalid_grant' } },
    });
  });

  test('an access token expires after 60 minutes of the simulator clock; the SDK refreshes on the 401', async () => {
    const { client, storage } = await connectAs(sim, sim.manifest.admin.login);
    const before = (await storage.get())!;
    clock += 61 * 60_000;
    expect((await client.users.getUserMe()).id).toBe(sim.manifest.admin.id);
    expect((await storage.get())!.accessToken).not.toBe(before.accessToken);
    expect(sim.stats().byEndpoint['POST /oauth2/token']).toBeGreaterThan(0);
  });

  test('removing the app rejects every token; refresh answers invalid_grant', async () => {
    const local = await startBoxSim({ seed: 7, users: 5, files: 10 });
    try {
      const { client } = await connectAs(local, local.manifest.admin.login);
      await client.users.getUserMe();
      expect(local.control.removeApp()).toBeGreaterThan(0);
      await expect(client.users.getUserMe()).rejects.toMatchObject({
        responseInfo: { statusCode: 400, body: { error: 'invalid_grant' } },
      });
    } finally {
      await local.close();
    }
  });

  test('revoking a token ends the session', async () => {
    const { client, auth, session } = await connectAs(sim, sim.manifest.admin.login);
    await auth.revokeToken(session);
    await expect(client.users.getUserMe()).rejects.toBeInstanceOf(BoxApiError);
  });

  test('strict mode rejects a query parameter box-sim does not support', async () => {
    const { storage } = await connectAs(sim, sim.manifest.admin.login);
    const token = (await storage.get())!.accessToken;
    const answer = await fetch(`${sim.baseUrl}/2.0/users/me?bogus=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ type: 'error', status: 400, code: 'bad_request' });
  });
});
