import {
  CONNECTOR_STATUSES,
  type ApiTestReport,
  type ConnectorStatus,
} from '../../../domain/connector-status';
import { appsListBody, statusTone } from '../../../api/console/apps-pages';
import {
  checkVerdict,
  connectorBody,
  stillMoving,
  streamTone,
  webhookTone,
} from '../../../api/console/connector-page';
import type { ConnectorDetails } from '../../../api/connectors-service';

const NOW = '2026-12-03T09:00:00.000Z';

const coadminTest: ApiTestReport = {
  outcome: 'passedWithWarning',
  summary:
    'co@x is a co-admin: the API test is reported as failed, and files owned by other admins are out of scope.',
  checks: [
    { name: 'Authorized account', passed: true, message: 'Signed in as co@x (coadmin).' },
    { name: 'Admin role', passed: false, message: 'The account is a co-admin, not the Box admin.' },
  ],
  testedAt: NOW,
};

function details(
  over: Partial<ConnectorDetails> = {},
  status: Partial<ConnectorStatus> = {},
): ConnectorDetails {
  return {
    id: 'c1',
    instanceName: 'Acme <b>',
    dataCenter: 'US1',
    status: 'Connected',
    message: 'Connected.',
    enterpriseId: 'e1',
    authorizedLogin: 'co@x',
    authorizedRole: 'coadmin',
    createdAt: NOW,
    updatedAt: NOW,
    live: true,
    details: {
      connectorId: 'c1',
      instanceName: 'Acme <b>',
      dataCenter: 'US1',
      status: 'Connected',
      message: 'Connected.',
      authorizationAttempts: 1,
      apiTest: coadminTest,
      updatedAt: NOW,
      ...status,
    },
    webhooks: { registered: 3, pendingDeliveries: 0, checkedAt: NOW },
    ...over,
  };
}

describe('Connected apps pages', () => {
  it('every connector status has its own colour (none falls back)', () => {
    const tones = CONNECTOR_STATUSES.map((s) => [s, statusTone(s)]);
    expect(Object.fromEntries(tones)).toEqual({
      AwaitingAuthorization: 'pending',
      Authorizing: 'pending',
      RunningApiTest: 'pending',
      Connected: 'ok',
      AuthorizationExpired: 'error',
      ApiTestFailed: 'error',
      NeedsReauthorization: 'error',
      Disconnected: 'off',
    });
  });

  it("a co-admin's connection is Connected with a warning, its failed check a warning, not a failure", () => {
    expect(statusTone('Connected', coadminTest)).toBe('warning');
    expect(coadminTest.checks.map((c) => checkVerdict(c, coadminTest))).toEqual(['passed', 'warning']);
    const failed = { ...coadminTest, outcome: 'failed' as const };
    expect(checkVerdict(coadminTest.checks[1]!, failed)).toBe('failed');
    const page = connectorBody(details(), { canAct: true, csrf: 't' }).html;
    expect(page).toContain('data-verdict="warning"');
    expect(page).toContain('id="status" data-tone="warning"');
  });

  it('progress: an indeterminate backfill bar while it runs, the scan bar counts users, the page refreshes until both are done', () => {
    const scan = {
      state: 'scanning',
      pass: 1,
      usersDone: 3,
      usersTotal: 8,
      filesSeen: 40,
      inspected: 40,
      skippedUnchanged: 0,
      findings: 2,
      priorityQueued: 0,
      priorityScanned: 0,
      message: 'Pass 1: 3 of 8 users walked, 40 files seen.',
      live: true,
    } as const;
    const running = details(
      { scan: { ...scan } },
      { backfill: { state: 'running', imported: 12, message: 'Importing.' } },
    );
    const page = connectorBody(running, { canAct: false, csrf: 't' }).html;
    expect(page).toMatch(/<progress\s+id="backfill-progress"\s+data-state="running"\s*>/);
    expect(page).toMatch(/<progress\s+id="scan-progress"\s+data-state="scanning"\s+value="3"\s+max="8"\s*>/);
    expect(stillMoving(running)).toBe(true);

    const done = details(
      { scan: { ...scan, state: 'waiting', usersDone: 8, lastPassCompletedAt: NOW } },
      { backfill: { state: 'finished', imported: 30, message: 'Imported.' } },
    );
    const donePage = connectorBody(done, { canAct: false, csrf: 't' }).html;
    expect(donePage).toMatch(
      /<progress\s+id="backfill-progress"\s+data-state="complete"\s+value="1"\s+max="1"\s*>/,
    );
    expect(donePage).toMatch(
      /<progress\s+id="scan-progress"\s+data-state="complete"\s+value="8"\s+max="8"\s*>/,
    );
    expect(stillMoving(done)).toBe(false);
    // A later pass running again does not keep the page refreshing: the first pass is what it waits for.
    expect(
      stillMoving(
        details(
          { scan: { ...scan, pass: 2, lastPassCompletedAt: NOW } },
          { backfill: done.details!.backfill },
        ),
      ),
    ).toBe(false);
    expect(stillMoving(details({ status: 'RunningApiTest' }))).toBe(true);
  });

  it('webhook health: a problem, pending deliveries, none registered, healthy', () => {
    expect(
      webhookTone(details({ webhooks: { registered: 2, pendingDeliveries: 0, problem: 'gone' } })).tone,
    ).toBe('error');
    expect(webhookTone(details({ webhooks: { registered: 2, pendingDeliveries: 4 } }))).toEqual({
      tone: 'warning',
      message: '4 delivery(ies) received but not yet passed to the connector (retried by the sweeper).',
    });
    expect(webhookTone(details({ webhooks: { registered: 0, pendingDeliveries: 0 } })).tone).toBe('warning');
    expect(webhookTone(details()).tone).toBe('ok');
    expect(webhookTone(details({ status: 'Disconnected' })).tone).toBe('off');
  });

  it('event-stream health: late after three poll intervals and a minute, paused, silent', () => {
    const stream = { reads: 3, recorded: 0, webhookDuplicates: 0, filesSignalled: 0, pollIntervalMs: 10_000 };
    expect(streamTone(details({ eventStream: { ...stream, lagSeconds: 5 } })).tone).toBe('ok');
    expect(streamTone(details({ eventStream: { ...stream, lagSeconds: 91 } })).tone).toBe('warning');
    expect(streamTone(details({ eventStream: { ...stream, lagSeconds: 5, paused: true } })).tone).toBe(
      'error',
    );
    expect(streamTone(details()).tone).toBe('warning');
    expect(streamTone(details({ status: 'AwaitingAuthorization' })).tone).toBe('off');
  });

  it('escapes what Box and people typed; offers the wizard and the actions to admins only', () => {
    const page = connectorBody(details(), { canAct: false, csrf: 't' }).html;
    expect(page).not.toContain('<b>');
    expect(page).not.toContain('id="reauthorize"');
    expect(connectorBody(details(), { canAct: true, csrf: 't' }).html).toContain('id="reauthorize"');
    const list = [{ ...details(), instanceName: '<script>x</script>' }];
    expect(appsListBody(list, false).html).not.toContain('<script>');
    expect(appsListBody(list, false).html).not.toContain('id="connect-new"');
    expect(appsListBody(list, true).html).toContain('id="connect-new"');
  });
});
