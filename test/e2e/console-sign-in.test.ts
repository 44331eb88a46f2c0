import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AccountsRepository } from '../../store/accounts-repository';
import { startTestApi, type TestApi } from '../helpers/api-server';
import { startOidcProvider, type OidcFixture } from '../helpers/oidc-provider';
import { freePort } from '../helpers/free-ports';

/** Where the browser test expects Chromium (Debian's package; playwright-core downloads none). */
const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery';

describe('the console in a browser: password sign-in, lockout, a personal token, sign-out, single sign-on', () => {
  let provider: OidcFixture;
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `The browser test needs Chromium at ${CHROMIUM}, which is missing. Install it with ` +
          "'apt-get update && apt-get install -y chromium' (as root on Debian; `npm test` does it through " +
          'scripts/bootstrap.mjs when run as root), then run the test again.',
      );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider({
      clients: [
        {
          client_id: 'connect-box',
          client_secret: 'e2e-secret',
          redirect_uris: [`${base}/console/oidc/callback`],
        },
      ],
      users: { olga: { name: 'Olga Ops', preferred_username: 'olga', connect_box_role: 'cb-admins' } },
    });
    api = await startTestApi({
      PUBLIC_BASE_URL: base,
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: 'connect-box',
      OIDC_CLIENT_SECRET: 'e2e-secret',
      OIDC_ROLE_MAP: 'cb-admins=admin,cb-analysts=analyst',
      SIGN_IN_LOCK_AFTER: '3',
    });
    await api.app.listen({ host: '127.0.0.1', port });
    const accounts = new AccountsRepository(api.store.db);
    await accounts.create({ login: 'ann', displayName: 'Ann Analyst', password: PASSWORD, role: 'analyst' });
    await accounts.create({ login: 'lou', password: PASSWORD, role: 'viewer' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox'],
    });
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await provider?.stop();
  });

  async function signIn(login: string, password: string): Promise<void> {
    await page.goto(`${base}/console/sign-in`);
    await page.fill('#login', login);
    await page.fill('#password', password);
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('#submit')]);
  }

  it('an anonymous visit to /console lands on the sign-in form', async () => {
    await page.goto(`${base}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(await page.textContent('#title')).toBe('Sign in');
  });

  it('a wrong password shows the sign-in failure message', async () => {
    await signIn('ann', 'not the password');
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(await page.textContent('#error')).toBe(
      'The login or the password is wrong. After 3 failed attempts in a row an account is locked for 15 minutes.',
    );
  });

  it('after 3 failures the account is locked: the right password is refused too', async () => {
    for (let i = 0; i < 3; i++) await signIn('lou', `wrong ${i}`);
    await signIn('lou', PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(await page.textContent('#error')).toContain('locked for 15 minutes');
    const lockouts = await api.store.db
      .selectFrom('audit_log')
      .select(['target', 'outcome'])
      .where('action', '=', 'session.lockout')
      .execute();
    expect(lockouts).toEqual([{ target: 'lou', outcome: 'denied' }]);
  });

  it('signs in with the password and lands on the console with the role', async () => {
    await signIn('ann', PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/console');
    expect(await page.textContent('#user-role')).toBe('analyst');
    expect(await page.textContent('#who')).toBe('ann');
    const cookies = await page.context().cookies(`${base}/console`);
    const session = cookies.find((c) => c.name === 'cb_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
  });

  it('creates a personal token in the page, shown once, that opens /api with the role chosen', async () => {
    await page.click('#tokens-link');
    await page.fill('#name', 'e2e');
    await page.selectOption('#role', 'viewer');
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('#create')]);
    const token = (await page.textContent('#new-token'))!.trim();
    expect(token).toMatch(/^cbx_pat_/);
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${base}/api/connectors`, { headers: auth })).status).toBe(200);
    // A viewer token does not open an admin route.
    expect((await fetch(`${base}/api/accounts`, { headers: auth })).status).toBe(403);
    await page.goto(`${base}/console/tokens`);
    expect(await page.content()).not.toContain(token);
    expect(await page.textContent('#tokens .state')).toBe('active');
  });

  it('signs out: the console asks to sign in again', async () => {
    await page.goto(`${base}/console`);
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('#sign-out')]);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(await page.textContent('#notice')).toBe('You are signed out.');
    await page.goto(`${base}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
  });

  it("signs in through the identity provider's login and consent pages and lands on /console with the mapped role", async () => {
    await page.goto(`${base}/console/sign-in`);
    await page.click('#sign-in-oidc');
    await page.waitForURL((u) => u.origin === provider.issuer, { waitUntil: 'domcontentloaded' });
    await page.fill('input[name=login]', 'olga');
    await page.fill('input[name=password]', 'whatever the provider wants');
    await page.click('button[type=submit]');
    // The consent page of the provider.
    await page.waitForSelector('input[name=prompt][value=consent]', { state: 'attached' });
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/console`, { waitUntil: 'domcontentloaded' });
    expect(await page.textContent('#user-role')).toBe('admin');
    expect(await page.textContent('#who')).toBe('olga');
    const signIns = await api.store.db
      .selectFrom('audit_log')
      .select(['actor_login', 'outcome', 'detail'])
      .where('action', '=', 'session.sign-in')
      .where('actor_login', '=', 'olga')
      .execute();
    expect(signIns.map((s) => ({ ...s, detail: JSON.parse(s.detail!).method }))).toEqual([
      { actor_login: 'olga', outcome: 'ok', detail: 'oidc' },
    ]);
  });
});
