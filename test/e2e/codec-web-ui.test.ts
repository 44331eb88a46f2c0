import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { temporalDataConverter } from '../../config/payload-codec';
import { AccountsRepository } from '../../store/accounts-repository';
import { temporalToolchain } from '../../scripts/temporal-toolchain';
import { TEST_TOKEN, startTestApi, type TestApi } from '../helpers/api-server';
import { eventually } from '../helpers/eventually';
import { freePorts } from '../helpers/free-ports';

const CHROMIUM = '/usr/bin/chromium';
const SECRET = 'admin@northwind-codec.example';
const PASSWORD = 'correct horse battery';

describe('the Temporal Web UI decodes payloads through the API codec endpoint (dev server, Chromium)', () => {
  let api: TestApi;
  let devServer: ChildProcess;
  let connection: Connection;
  let browser: Browser;
  let page: Page;
  let ui: string;
  let apiBase: string;
  const codecAnswers: Array<{ url: string; status: number; authorization?: string }> = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`The browser test needs Chromium at ${CHROMIUM}.`);
    const [frontend, uiPort, apiPort] = (await freePorts(3)) as [number, number, number];
    ui = `http://127.0.0.1:${uiPort}`;
    api = await startTestApi({ TEMPORAL_UI_PORT: String(uiPort) });
    await api.app.listen({ host: '127.0.0.1', port: apiPort });
    apiBase = `http://127.0.0.1:${apiPort}`;
    await new AccountsRepository(api.store.db).create({
      login: 'vera',
      displayName: 'Vera Viewer',
      password: PASSWORD,
      role: 'viewer',
    });
    // As npm start runs it: the UI is told the API's codec endpoint.
    devServer = spawn(
      temporalToolchain().temporalCli,
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(frontend),
        '--ui-port',
        String(uiPort),
        '--ui-codec-endpoint',
        `http://127.0.0.1:${apiPort}/codec`,
        '--log-level',
        'error',
      ],
      { stdio: 'ignore' },
    );
    connection = await eventually(() => Connection.connect({ address: `127.0.0.1:${frontend}` }), {
      what: 'the dev server',
      timeoutMs: 60_000,
      intervalMs: 300,
      accept: () => true,
    });
    // A workflow no worker runs: its start event holds the encrypted input, which the UI shows.
    const client = new Client({ connection, dataConverter: temporalDataConverter(api.config) });
    await client.workflow.start('someWorkflow', {
      taskQueue: 'nobody-polls-this',
      workflowId: 'codec-ui',
      args: [{ adminLogin: SECRET }],
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox'],
    });
    page = await (await browser.newContext()).newPage();
    page.on('response', (res) => {
      if (new URL(res.url()).pathname.startsWith('/codec/'))
        codecAnswers.push({
          url: new URL(res.url()).pathname,
          status: res.status(),
          authorization: res.request().headers().authorization,
        });
    });
  });
  afterAll(async () => {
    await browser?.close();
    await connection?.close();
    devServer?.kill('SIGTERM');
    await api?.close();
  });

  const inputShown = () => page.content().then((html) => html.includes(SECRET));

  it('without a credential (the dev UI has no sign-in) the endpoint answers 401 and the UI shows the payload encrypted', async () => {
    await page.goto(`${ui}/namespaces/default/workflows/codec-ui`);
    await eventually(() => codecAnswers.some((a) => a.url === '/codec/decode'), {
      what: 'the UI to call the codec endpoint',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    expect(codecAnswers.filter((a) => a.url === '/codec/decode').map((a) => a.status)).toContain(401);
    expect(await inputShown()).toBe(false);
  });

  it('with the token added on the way (what the documented proxy does) the UI shows the decoded input', async () => {
    await page.route('**/codec/decode*', (route) =>
      route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${TEST_TOKEN}` } }),
    );
    codecAnswers.length = 0;
    await page.goto(`${ui}/namespaces/default/workflows/codec-ui`);
    await eventually(inputShown, {
      what: 'the decoded input on the page',
      timeoutMs: 30_000,
      intervalMs: 300,
    });
    expect(codecAnswers.some((a) => a.url === '/codec/decode' && a.status === 200)).toBe(true);
  });
  const openWorkflow = async () => {
    codecAnswers.length = 0;
    await page.goto(`${ui}/namespaces/default/workflows/codec-ui`);
    await eventually(() => codecAnswers.some((a) => a.url === '/codec/decode'), {
      what: 'the UI to call the codec endpoint',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
  };

  it('signed in to /console in the same browser, with "Include cross-origin credentials" set, the UI shows the decoded input (no token added)', async () => {
    await page.unrouteAll();
    await page.goto(`${apiBase}/console/sign-in`);
    await page.fill('#login', 'vera');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('#submit')]);
    expect(new URL(page.url()).pathname).toBe('/console');
    const codecCookie = (await page.context().cookies(`${apiBase}/codec/decode`)).find(
      (c) => c.name === 'cb_codec_session',
    );
    expect(codecCookie).toMatchObject({ path: '/codec', httpOnly: true, sameSite: 'Strict' });
    // The Web UI's codec settings (its "Codec Server" dialog persists them in localStorage): this
    // browser's endpoint overrides the server's, with cross-origin credentials (the cookie) included.
    await page.goto(`${ui}/namespaces/default/workflows`);
    await page.evaluate((endpoint) => {
      // (This runs in the page; the test's TypeScript has no DOM types.)
      const { localStorage } = globalThis as unknown as {
        localStorage: { setItem(key: string, value: string): void };
      };
      localStorage.setItem('endpoint', JSON.stringify(endpoint));
      localStorage.setItem('includeCredentials', 'true');
      localStorage.setItem('passAccessToken', 'false');
      localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
    }, `${apiBase}/codec`);
    await openWorkflow();
    await eventually(inputShown, {
      what: 'the decoded input on the page',
      timeoutMs: 30_000,
      intervalMs: 300,
    });
    const decodes = codecAnswers.filter((a) => a.url === '/codec/decode');
    expect(decodes.some((a) => a.status === 200)).toBe(true);
    expect(decodes.every((a) => a.authorization === undefined)).toBe(true);
  });

  it('signed out of /console, the same UI shows the input encrypted again (the codec answers 401)', async () => {
    await page.goto(`${apiBase}/console`);
    await Promise.all([page.waitForLoadState('domcontentloaded'), page.click('#sign-out')]);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(
      (await page.context().cookies(`${apiBase}/codec/decode`)).find((c) => c.name === 'cb_codec_session'),
    ).toBeUndefined();
    await openWorkflow();
    // Give the UI time to show whatever it got.
    await page.waitForTimeout(1500);
    expect(codecAnswers.filter((a) => a.url === '/codec/decode').map((a) => a.status)).toContain(401);
    expect(codecAnswers.some((a) => a.url === '/codec/decode' && a.status === 200)).toBe(false);
    expect(await inputShown()).toBe(false);
  });
});
