/**
 * The console's data pages in a browser, on a stack with data: box-sim, the dev server, the workers and the
 * API listening on a free port; a connector connected through box-sim's consent page and its enterprise
 * scanned with a policy whose findings ask for an action awaiting approval. An analyst reads files,
 * findings, the activity log and governance (each page checked against the store), dismisses a finding and
 * approves an action; a viewer sees no buttons and is refused when it posts anyway.
 */
// The setup files of the integration layer (the e2e layer has none): quiet worker logs, no stray worker.
import '../helpers/quiet-runtime';
import '../helpers/worker-guard';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { EventKind } from '../../domain/file-event';
import { AccountsRepository } from '../../store/accounts-repository';
import { EventLogRepository } from '../../store/event-log-repository';
import { FindingsRepository } from '../../store/findings-repository';
import { GovernanceRepository } from '../../store/governance-repository';
import { InventoryRepository } from '../../store/inventory-repository';
import { clickThroughConsent } from '../helpers/box-consent';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-ports';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery';
const POLICIES = `version: 1
templates: []
policies:
  - id: ssn-anywhere
    name: SSNs in any file (shared link removed once approved)
    severity: high
    content: { detectors: [{ detector: us_ssn }] }
    actions:
      - kind: remove-shared-link
        approval: required
        expiresInDays: 3
`;

describe('the console data pages in a browser: files, findings, activity log, governance', () => {
  let stack: ConnectStack;
  let browser: Browser;
  let page: Page;
  let base: string;
  let connectorId: string;
  let inventory: InventoryRepository;
  let findings: FindingsRepository;
  let governance: GovernanceRepository;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `The browser test needs Chromium at ${CHROMIUM}: 'apt-get update && apt-get install -y chromium'.`,
      );
    const dir = mkdtempSync(join(tmpdir(), 'console-data-e2e-'));
    writeFileSync(join(dir, 'policies.yaml'), POLICIES);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    stack = await startConnectStack({
      sim: { users: 5, files: 120 },
      settings: { POLICY_FILE: join(dir, 'policies.yaml'), PUBLIC_BASE_URL: base },
    });
    await stack.api.listen({ host: '127.0.0.1', port });
    const db = stack.deps.store.db;
    inventory = new InventoryRepository(db);
    findings = new FindingsRepository(db);
    governance = new GovernanceRepository(db);
    const accounts = new AccountsRepository(db);
    await accounts.create({ login: 'ana', displayName: 'Ana Analyst', password: PASSWORD, role: 'analyst' });
    await accounts.create({ login: 'vic', displayName: 'Vic Viewer', password: PASSWORD, role: 'viewer' });

    const created = await stack.call('POST', '/api/connectors', {
      instanceName: 'Console',
      dataCenter: 'US1',
    });
    connectorId = (created.json as { id: string }).id;
    const redirect = await clickThroughConsent(
      (created.json as { authorizeUrl: string }).authorizeUrl,
      stack.sim.manifest.admin.login,
    );
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    await eventually(
      async () => (await stack.call('GET', `/api/connectors/${connectorId}`)).json?.scan?.lastPassCompletedAt,
      { what: 'the first scan pass to complete', timeoutMs: 120_000, intervalMs: 250, accept: Boolean },
    );
    await eventually(() => governance.list(connectorId, { state: 'awaiting-approval' }), {
      what: 'an action awaiting approval',
      timeoutMs: 30_000,
      accept: (p) => p.items.length > 0,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
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
    expect(await page.textContent('#who')).toBe(login);
  }
  const ids = (selector: string, attribute: string) =>
    page.$$eval(selector, (rows, a) => rows.map((r) => r.getAttribute(a)!), attribute);
  const click = (selector: string) =>
    Promise.all([page.waitForLoadState('domcontentloaded'), page.click(selector)]);

  it('an analyst filters the files by access level (the form) and by name, as the store lists them', async () => {
    await signIn('ana');
    await click('#nav-files');
    expect(await page.textContent('#title')).toBe('Files');
    const all = (await inventory.list(connectorId, { limit: 1000 })).items;
    // The access level most files have, so that it takes more than one page of 2.
    const count = (l: string) => all.filter((f) => f.access_level === l).length;
    const level = ['public', 'external', 'internal', 'private'].sort((a, b) => count(b) - count(a))[0]!;
    expect(count(level)).toBeGreaterThan(2);
    await page.selectOption('#accessLevel', level);
    await click('#apply-filters');
    expect(new URL(page.url()).searchParams.get('accessLevel')).toBe(level);
    const expected = (await inventory.list(connectorId, { accessLevel: level })).items.map((f) => f.file_id);
    expect(expected.length).toBeGreaterThan(0);
    expect(await ids('#files tbody tr', 'data-file-id')).toEqual(expected);
    expect(await page.$$eval('#files .access-level', (c) => c.map((x) => x.textContent))).toEqual(
      expected.map(() => level),
    );

    // Paging keeps the filters: page 2 is the store's page after page 1's cursor.
    await page.goto(`${base}/console/files?connector=${connectorId}&accessLevel=${level}&limit=2`);
    const first = await inventory.list(connectorId, { accessLevel: level, limit: 2 });
    expect(await ids('#files tbody tr', 'data-file-id')).toEqual(first.items.map((f) => f.file_id));
    expect(first.nextCursor).toBeDefined();
    await click('#next-page');
    const second = await inventory.list(connectorId, {
      accessLevel: level,
      limit: 2,
      cursor: first.nextCursor,
    });
    expect(await ids('#files tbody tr', 'data-file-id')).toEqual(second.items.map((f) => f.file_id));

    const name = all[0]!.name.slice(1, 5).toUpperCase();
    await page.goto(`${base}/console/files?connector=${connectorId}&name=${encodeURIComponent(name)}`);
    const byName = (await inventory.list(connectorId, { name })).items.map((f) => f.file_id);
    expect(byName).toContain(all[0]!.file_id);
    expect(await ids('#files tbody tr', 'data-file-id')).toEqual(byName);
  });

  it('a bad filter value gives the page back with a clear message', async () => {
    const res = await page.goto(
      `${base}/console/files?connector=${connectorId}&accessLevel=everyone&limit=0`,
    );
    expect(res!.status()).toBe(200);
    const message = await page.textContent('#filter-error');
    expect(message).toContain('accessLevel: one of private, internal, external, public');
    expect(message).toContain('limit');
    await page.goto(`${base}/console/activity?connector=${connectorId}&colour=red&from=yesterday`);
    expect(await page.textContent('#filter-error')).toMatch(/from: an ISO 8601 date.*unknown filter colour/);
    const garbage = await page.goto(`${base}/console/governance?connector=${connectorId}&cursor=garbage`);
    expect(garbage!.status()).toBe(200);
    expect(await page.textContent('#filter-error')).toContain('start again from the first page');
    await page.goto(`${base}/console/findings?connector=nope`);
    expect(await page.textContent('#filter-error')).toContain("no connector with id 'nope'");
  });

  it("the findings page shows a finding's masked sample; the analyst dismisses it with a reason", async () => {
    await click('#nav-findings');
    await page.goto(`${base}/console/findings?connector=${connectorId}&status=open`);
    const open = (await findings.list(connectorId, { status: 'open' })).items;
    expect(open.length).toBeGreaterThan(1);
    expect(await ids('#findings tbody tr', 'data-finding-id')).toEqual(open.map((f) => f.id));
    const first = open[0]!;
    const samples = JSON.parse(first.samples_json) as Array<{ masked: string }>;
    const row = `tr[data-finding-id="${first.id}"]`;
    expect(await page.$$eval(`${row} code.masked`, (c) => c.map((x) => x.textContent))).toEqual(
      samples.map((s) => s.masked),
    );
    expect(samples[0]!.masked).toMatch(/\*/);
    await page.fill(`${row} form.dismiss input[name=reason]`, 'a test document');
    await click(`${row} .dismiss-button`);
    expect(new URL(page.url()).searchParams.get('status')).toBe('open');
    expect(await ids('#findings tbody tr', 'data-finding-id')).not.toContain(first.id);
    expect(await findings.get(connectorId, first.id)).toMatchObject({
      status: 'dismissed',
      decided_by: 'ana',
      decision_reason: 'a test document',
    });
    await page.selectOption('#status', 'dismissed');
    await click('#apply-filters');
    expect(await page.textContent(`${row} .status`)).toBe('dismissed');
    expect(await page.textContent(`${row} .decision`)).toContain('by ana');
    expect(await page.textContent(`${row} .decision`)).toContain('a test document');
    const audit = await stack.deps.store.db
      .selectFrom('audit_log')
      .select(['actor_login', 'outcome'])
      .where('action', '=', 'finding.dismiss')
      .where('target', '=', first.id)
      .execute();
    expect(audit).toEqual([{ actor_login: 'ana', outcome: 'ok' }]);
  });

  it('the activity log filtered by kind lists the events of that kind, as the store does', async () => {
    await click('#nav-activity');
    const events = await new EventLogRepository(stack.deps.store.db).query(connectorId, { limit: 1000 });
    const kind = events.items.find((e) => e.kind)?.kind as EventKind | undefined;
    expect(kind).toBeTruthy();
    await page.selectOption('#kind', kind!);
    await click('#apply-filters');
    const expected = (
      await new EventLogRepository(stack.deps.store.db).query(connectorId, { kinds: [kind!] })
    ).items;
    expect(await ids('#events tbody tr', 'data-event-id')).toEqual(expected.map((e) => e.event_id));
    expect(new Set(await page.$$eval('#events .kind', (c) => c.map((x) => x.textContent)))).toEqual(
      new Set([kind]),
    );
  });

  it('the analyst approves an action awaiting approval: its state moves and the approver is the analyst', async () => {
    await click('#nav-governance');
    await page.selectOption('#state', 'awaiting-approval');
    await click('#apply-filters');
    const waiting = (await governance.list(connectorId, { state: 'awaiting-approval' })).items;
    expect(waiting.length).toBeGreaterThan(2);
    expect(await ids('#actions tbody tr', 'data-action-id')).toEqual(waiting.map((a) => a.id));
    const action = waiting[0]!;
    const row = `tr[data-action-id="${action.id}"]`;
    await page.fill(`${row} form.approve input[name=note]`, 'checked with the owner');
    await click(`${row} .approve-button`);
    const moved = await governance.get(connectorId, action.id);
    expect(moved).toMatchObject({ approver: 'ana' });
    expect(moved!.state).not.toBe('awaiting-approval');
    await page.goto(`${base}/console/governance?connector=${connectorId}&file=${action.file_id}`);
    expect(await page.textContent(`${row} .state`)).not.toBe('awaiting-approval');
    expect((await page.textContent(`${row} .approver`))!.replace(/\s+/g, ' ')).toContain('approved by ana');
    expect(await page.$(`${row} .approve-button`)).toBeNull();
    // Another is rejected with a reason: the page shows the state and the reason.
    const other = waiting[1]!;
    await page.goto(`${base}/console/governance?connector=${connectorId}&state=awaiting-approval`);
    const otherRow = `tr[data-action-id="${other.id}"]`;
    await page.fill(`${otherRow} form.reject input[name=reason]`, 'the owner needs the link');
    await click(`${otherRow} .reject-button`);
    expect(await governance.get(connectorId, other.id)).toMatchObject({
      state: 'rejected',
      approver: 'ana',
      reason: 'the owner needs the link',
    });
    expect(await ids('#actions tbody tr', 'data-action-id')).not.toContain(other.id);
    // Approving it again: the 409 is a clear page.
    const again = await page.request.post(`${base}/console/governance/${action.id}/approve`, {
      form: { _csrf: (await page.getAttribute('input[name=_csrf]', 'value'))!, connector: connectorId },
    });
    expect(again.status()).toBe(409);
    expect(await again.text()).toContain('only an action awaiting approval can be approved');
  });

  it('a viewer sees no dismiss or approve buttons, and is refused when posting anyway', async () => {
    await click('#sign-out');
    await signIn('vic');
    await page.goto(`${base}/console/findings?connector=${connectorId}&status=open`);
    const open = (await findings.list(connectorId, { status: 'open' })).items;
    expect(await ids('#findings tbody tr', 'data-finding-id')).toEqual(open.map((f) => f.id));
    expect(await page.$$('.dismiss-button, .resolve-button')).toHaveLength(0);
    await page.goto(`${base}/console/governance?connector=${connectorId}&state=awaiting-approval`);
    expect(await page.$$('.approve-button, .reject-button')).toHaveLength(0);
    const csrf = (await page.getAttribute('input[name=_csrf]', 'value'))!;
    const refused = await page.request.post(`${base}/console/findings/${open[0]!.id}/dismiss`, {
      form: { _csrf: csrf, connector: connectorId, reason: 'viewer tries' },
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('Only an analyst or an admin may dismiss findings');
    expect(await findings.get(connectorId, open[0]!.id)).toMatchObject({ status: 'open' });
    const pending = (await governance.list(connectorId, { state: 'awaiting-approval' })).items[0];
    if (pending) {
      const approve = await page.request.post(`${base}/console/governance/${pending.id}/approve`, {
        form: { _csrf: csrf, connector: connectorId },
      });
      expect(approve.status()).toBe(403);
      expect((await governance.get(connectorId, pending.id))!.state).toBe('awaiting-approval');
    }
  });
});
