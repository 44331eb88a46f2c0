// A worker runs in this file: the integration layer's setup files (quiet SDK logs, no worker left polling).
import '../helpers/quiet-runtime';
import '../helpers/worker-guard';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AccountsRepository } from '../../store/accounts-repository';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-ports';

/** Where the browser test expects Chromium (Debian's package; playwright-core downloads none). */
const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery';

describe('Connected apps in a browser: the Connect Box wizard against box-sim, status, progress, re-authorize, disconnect, roles', () => {
  let stack: ConnectStack;
  let browser: Browser;
  let page: Page;
  let base: string;
  let connectorId: string;
  let firstAuthorizeUrl: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `The browser test needs Chromium at ${CHROMIUM}, which is missing. Install it with ` +
          "'apt-get update && apt-get install -y chromium' (as root on Debian), then run the test again.",
      );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    stack = await startConnectStack({ settings: { PUBLIC_BASE_URL: base } });
    await stack.api.listen({ host: '127.0.0.1', port });
    const accounts = new AccountsRepository(stack.deps.store.db);
    await accounts.create({ login: 'ada', displayName: 'Ada Admin', password: PASSWORD, role: 'admin' });
    await accounts.create({ login: 'vic', displayName: 'Vic Viewer', password: PASSWORD, role: 'viewer' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox'],
    });
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function signIn(login: string): Promise<void> {
    await page.goto(`${base}/console/sign-in`);
    await page.fill('#login', login);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('#submit')]);
    expect(await text('#who')).toBe(login);
  }

  /** The text of an element as a reader sees it (whitespace collapsed). */
  async function text(selector: string): Promise<string | undefined> {
    return (await page.textContent(selector))?.replace(/\s+/g, ' ').trim();
  }

  async function submit(selector: string): Promise<void> {
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click(selector)]);
  }

  /** Follows the page's Connect Box link to box-sim's consent page, allows as `login`, lands on the callback. */
  async function consent(login: string): Promise<void> {
    await submit('#connect-box');
    expect(new URL(page.url()).origin).toBe(new URL(stack.sim.oauth2Url).origin);
    await page.selectOption('#login', login);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/oauth/box/callback', { waitUntil: 'domcontentloaded' }),
      page.click('#allow'),
    ]);
  }

  /** Posts a console form as this browser does (its cookies, a CSRF token from the page it shows). */
  async function postForm(path: string, form: Record<string, string>) {
    const csrf = await page.getAttribute('input[name=_csrf]', 'value');
    const res = await page.request.post(`${base}${path}`, { form: { _csrf: csrf!, ...form } });
    return { status: res.status(), body: await res.text() };
  }

  const audit = (action: string) =>
    stack.deps.store.db
      .selectFrom('audit_log')
      .select(['actor_login', 'outcome', 'status', 'target'])
      .where('action', '=', action)
      .orderBy('id')
      .execute();

  it('an admin opens Connected apps from the navigation bar: no connector yet, the wizard offered', async () => {
    await signIn('ada');
    await submit('#nav-apps');
    expect(new URL(page.url()).pathname).toBe('/console/apps');
    expect(await text('#no-apps')).toBe('No Box enterprise is connected yet.');
    await submit('#connect-new');
    expect(await text('#title')).toBe('Connect Box');
    // Every data centre of domain/data-centers.ts; those without a Box app configured say so.
    expect(
      await page.$$eval('#dataCenter option', (os) =>
        os.map((o) => o.textContent?.replace(/\s+/g, ' ').trim()),
      ),
    ).toEqual([
      'US1',
      'US2 (no Box app configured)',
      'US3 (no Box app configured)',
      'EU1 (no Box app configured)',
      'EU2 (no Box app configured)',
    ]);
  });

  it('bad input gets the form back with a clear message and the values kept', async () => {
    await page.fill('#instanceName', '   ');
    await page.selectOption('#dataCenter', 'EU1');
    await submit('#next-step');
    expect(await text('#form-errors')).toContain('Instance name: required.');
    expect(await page.inputValue('#dataCenter')).toBe('EU1');

    // A data centre whose Box app is not configured: named, with the settings to set.
    await page.fill('#instanceName', 'Acme EU');
    await submit('#next-step');
    expect(await text('#form-errors')).toContain(
      'No Box app is configured for data centre EU1: set BOX_EU1_CLIENT_ID and BOX_EU1_CLIENT_SECRET.',
    );
    expect(await page.inputValue('#instanceName')).toBe('Acme EU');
    expect(await page.inputValue('#dataCenter')).toBe('EU1');

    // A data centre that does not exist (not one the form offers): refused by the API's own schema.
    const unknown = await postForm('/console/apps', { instanceName: 'Acme Mars', dataCenter: 'MARS1' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('Data centre: one of US1, US2, US3, EU1, EU2.');
    expect(unknown.body).toContain('value="Acme Mars"');
    expect(await stack.deps.store.db.selectFrom('connectors').select('id').execute()).toEqual([]);
  });

  it('step 1 creates the connector, step 2 links to Box; consent as the admin comes back Connected', async () => {
    await page.fill('#instanceName', 'Acme');
    await page.selectOption('#dataCenter', 'US1');
    await submit('#next-step');
    expect(await text('#title')).toBe('Connect Box: Acme');
    firstAuthorizeUrl = (await page.getAttribute('#connect-box', 'href'))!;
    expect(firstAuthorizeUrl.startsWith(`${stack.sim.oauth2Url}/authorize?`)).toBe(true);
    connectorId = (await page.getAttribute('#connector-link', 'href'))!.split('/').pop()!;

    // Box's consent page (box-sim): log in as the enterprise's admin and allow.
    await consent(stack.sim.manifest.admin.login);
    expect(await text('#outcome')).toBe('Box was successfully connected');
    expect(await page.getAttribute('#next', 'href')).toBe(`/console/apps/${connectorId}`);

    await submit('#next');
    expect(new URL(page.url()).pathname).toBe(`/console/apps/${connectorId}`);
    expect(await text('#status')).toBe('Connected');
    expect(await page.getAttribute('#status', 'data-tone')).toBe('ok');
    expect(await text('#authorized-as')).toBe(`${stack.sim.manifest.admin.login} (admin)`);
    expect(await text('#api-test-outcome')).toBe('passed');
    const checks = await page.$$eval('#api-test tr.check', (rows) =>
      rows.map((r) => [r.querySelector('td')!.textContent, r.getAttribute('data-verdict')]),
    );
    expect(checks).toEqual([
      ['Authorized account', 'passed'],
      ['Enterprise membership', 'passed'],
      ['Admin role', 'passed'],
      ['List enterprise users', 'passed'],
      ['Read the enterprise event log', 'passed'],
      ['Act as another user', 'passed'],
    ]);
    // Console actions are audited as the API's are: each refused form too.
    expect(await audit('connector.create')).toEqual([
      { actor_login: 'ada', outcome: 'failed', status: 400, target: null },
      { actor_login: 'ada', outcome: 'failed', status: 400, target: null },
      { actor_login: 'ada', outcome: 'failed', status: 400, target: null },
      { actor_login: 'ada', outcome: 'ok', status: 200, target: connectorId },
    ]);
  });

  it('the backfill and scan progress bars move to complete; webhooks and the event stream are healthy', async () => {
    await eventually(
      async () => {
        await page.goto(`${base}/console/apps/${connectorId}`);
        const scan = await page.getAttribute('#scan-progress', 'data-state').catch(() => null);
        const backfill = await page.getAttribute('#backfill-progress', 'data-state').catch(() => null);
        return scan === 'complete' && backfill === 'complete';
      },
      {
        what: 'the scan and the backfill to complete on the connector page',
        timeoutMs: 40_000,
        intervalMs: 300,
      },
    );
    const [value, max] = await Promise.all([
      page.getAttribute('#scan-progress', 'value'),
      page.getAttribute('#scan-progress', 'max'),
    ]);
    expect(value).toBe(max);
    expect(Number(max)).toBeGreaterThan(0);
    // With nothing running, the page stops refreshing itself.
    expect(await page.$('meta[http-equiv=refresh]')).toBeNull();
    expect(Number(await text('#backfill-imported'))).toBeGreaterThan(0);
    expect(await page.getAttribute('#webhooks-health', 'data-tone')).toBe('ok');
    expect(Number(await text('#webhooks-registered'))).toBeGreaterThan(0);
    await eventually(
      async () => {
        await page.goto(`${base}/console/apps/${connectorId}`);
        return page.getAttribute('#stream-health', 'data-tone');
      },
      {
        what: 'the event stream to report a read',
        accept: (t) => t === 'ok',
        timeoutMs: 20_000,
        intervalMs: 300,
      },
    );
    expect(await text('#stream-message')).toMatch(/^Last read \d+ s ago/);
    // The API answers from the same service: the same webhook figures and stream position.
    const api = await stack.call('GET', `/api/connectors/${connectorId}`);
    expect(api.json.webhooks.registered).toBe(Number(await text('#webhooks-registered')));
    expect(api.json.eventStream.streamPosition).toBeDefined();
    expect(api.json.details.apiTest.outcome).toBe('passed');
  });

  it('the list shows the connector with its status, as GET /api/connectors does', async () => {
    await submit('#nav-apps');
    const row = page.locator(`tr[data-connector-id="${connectorId}"]`);
    expect(await row.locator('.app-link').textContent()).toBe('Acme');
    const api = await stack.call('GET', '/api/connectors');
    const listed = (api.json.items as Array<{ id: string; status: string; message: string }>).find(
      (c) => c.id === connectorId,
    )!;
    expect(await row.locator('.tone').textContent()).toBe(listed.status);
    expect(await row.locator('.message').textContent()).toBe(listed.message);
  });

  it('a second connector with the same name is refused naming the existing one, the values kept', async () => {
    await submit('#connect-new');
    await page.fill('#instanceName', '  acme ');
    await submit('#next-step');
    expect(await text('#form-errors')).toContain(`'Acme'`);
    expect(await text('#form-errors')).toContain(connectorId);
    expect(await page.inputValue('#instanceName')).toBe('  acme ');
  });

  it('re-authorize gives a fresh authorize URL', async () => {
    await page.goto(`${base}/console/apps/${connectorId}`);
    await submit('#reauthorize');
    expect(await text('#title')).toBe('Re-authorize: Acme');
    const fresh = (await page.getAttribute('#connect-box', 'href'))!;
    expect(fresh.startsWith(`${stack.sim.oauth2Url}/authorize?`)).toBe(true);
    expect(new URL(fresh).searchParams.get('state')).not.toBe(
      new URL(firstAuthorizeUrl).searchParams.get('state'),
    );
    expect(await audit('connector.reauthorize')).toEqual([
      { actor_login: 'ada', outcome: 'ok', status: 200, target: connectorId },
    ]);
    // The fresh link is the one that counts: the connector is connected already, so Box's answer is not used.
    await consent(stack.sim.manifest.admin.login);
    expect(await text('#outcome')).toBe('Authorization not used');
    expect(await page.getAttribute('#next', 'href')).toBe(`/console/apps/${connectorId}`);
  });

  it("a plain user's consent fails the API test (red, the failed checks); re-authorizing as the admin connects it", async () => {
    await page.goto(`${base}/console/apps/new`);
    await page.fill('#instanceName', 'Acme second');
    await submit('#next-step');
    const second = (await page.getAttribute('#connector-link', 'href'))!.split('/').pop()!;
    const plain = stack.sim.manifest.users.find((u) => u.role === 'user' && u.inEnterprise)!;
    await consent(plain.login);
    expect(await text('#outcome')).toBe('The API test failed');
    await submit('#next');
    expect(await text('#status')).toBe('ApiTestFailed');
    expect(await page.getAttribute('#status', 'data-tone')).toBe('error');
    expect(await text('#api-test-outcome')).toBe('failed');
    expect(await page.getAttribute('#api-test tr.check:nth-child(3)', 'data-verdict')).toBe('failed');
    expect(await text('#next-step')).toBeTruthy();

    await submit('#reauthorize');
    await consent(stack.sim.manifest.admin.login);
    expect(await text('#outcome')).toBe('Box was successfully connected');
    await submit('#next');
    expect(new URL(page.url()).pathname).toBe(`/console/apps/${second}`);
    expect(await text('#status')).toBe('Connected');
    expect(await text('#authorized-as')).toBe(`${stack.sim.manifest.admin.login} (admin)`);
  });

  it('disconnect asks for confirmation, then the connector ends Disconnected', async () => {
    await page.goto(`${base}/console/apps/${connectorId}`);
    await submit('#disconnect');
    expect(await text('#title')).toBe('Disconnect Acme?');
    // Without the confirmation field nothing happens.
    const unconfirmed = await postForm(`/console/apps/${connectorId}/disconnect`, {});
    expect(unconfirmed.status).toBe(400);
    await submit('#confirm-disconnect');
    expect(new URL(page.url()).pathname).toBe(`/console/apps/${connectorId}`);
    expect(await text('#notice')).toContain('Disconnecting');
    await eventually(
      async () => {
        await page.goto(`${base}/console/apps/${connectorId}`);
        return text('#status');
      },
      { what: 'the connector to be Disconnected', accept: (s) => s === 'Disconnected', timeoutMs: 30_000 },
    );
    expect(await page.getAttribute('#status', 'data-tone')).toBe('off');
    expect(await page.$('#reauthorize')).toBeNull();
    expect(await audit('connector.disconnect')).toEqual([
      { actor_login: 'ada', outcome: 'ok', status: 303, target: connectorId },
    ]);
  });

  it('a viewer sees the list and the connector but no wizard, and a POST of the wizard is refused', async () => {
    await submit('#sign-out');
    await signIn('vic');
    await submit('#nav-apps');
    expect(await page.$(`tr[data-connector-id="${connectorId}"]`)).not.toBeNull();
    expect(await page.$('#connect-new')).toBeNull();
    expect(await text('#viewer-note')).toContain('need the admin role');

    const wizard = await page.goto(`${base}/console/apps/new`);
    expect(wizard!.status()).toBe(403);
    expect(await text('#message')).toBe('Only an admin can connect Box; you are signed in as a viewer.');

    await page.goto(`${base}/console/apps/${connectorId}`);
    expect(await text('#status')).toBe('Disconnected');
    const refused = await postForm('/console/apps', { instanceName: 'Viewer Corp', dataCenter: 'US1' });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Only an admin can connect Box; you are signed in as a viewer.');
    const denied = (await audit('connector.create')).filter((a) => a.actor_login === 'vic');
    expect(denied).toEqual([{ actor_login: 'vic', outcome: 'denied', status: 403, target: null }]);
    // A POST without the CSRF field is refused before anything else.
    const forged = await page.request.post(`${base}/console/apps`, {
      form: { instanceName: 'Forged', dataCenter: 'US1' },
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('CSRF protection');
  });
});
