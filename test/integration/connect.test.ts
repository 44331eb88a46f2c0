import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLocalEnv } from '../helpers/temporal-env';
import { clickThroughConsent } from '../../box-sim/consent-client';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { workflowIds } from '../../common/workflow-ids';
import { replayWorkflows } from '../helpers/replay';
import { CONNECTOR_ID, CONNECTOR_STATUS, BOX_ENTERPRISE_ID } from '../../common/search-attributes';
import { progressQuery } from '../../workflows/scan-files-messages';
import { eventually } from '../helpers/eventually';
import { fileEventsSignal } from '../../workflows/connect-box-messages';

/** The authorize updates and oauthAuthorized signals in a connector's history. */
async function authorizationMessages(temporal: Client, connectorId: string) {
  const history = await temporal.workflow.getHandle(workflowIds.connector(connectorId)).fetchHistory();
  const events = history.events ?? [];
  return {
    updates: events.filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'authorize',
    ).length,
    updatesCompleted: events.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes).length,
    signals: events.filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'oauthAuthorized',
    ).length,
  };
}

/** Follows a Box redirect back into the API (the browser's last hop) and returns the page. */
async function followCallback(stack: ConnectStack, location: URL) {
  const res = await stack.api.inject({ method: 'GET', url: `${location.pathname}${location.search}` });
  return { status: res.statusCode, html: res.body };
}

describe('connecting a Box enterprise end to end (dev server, box-sim, real box-node-sdk)', () => {
  let env: TestWorkflowEnvironment;
  let stack: ConnectStack;
  beforeAll(async () => {
    env = await createLocalEnv();
    stack = await startConnectStack({ env });
  });
  afterAll(async () => {
    await stack?.close();
    await env?.teardown();
  });

  const create = async (instanceName: string) => {
    const res = await stack.call('POST', '/api/connectors', { instanceName, dataCenter: 'US1' });
    expect(res.status).toBe(201);
    return res.json as { id: string; status: string; authorizeUrl: string };
  };

  it('an admin authorizes through the consent page and the connector is Connected with its API test', async () => {
    const created = await create('Acme admin');
    expect(created.status).toBe('AwaitingAuthorization');
    expect(created.authorizeUrl.startsWith(`${stack.sim.oauth2Url}/authorize?`)).toBe(true);

    const redirect = await clickThroughConsent(created.authorizeUrl, stack.sim.manifest.admin.login);
    expect(redirect.pathname).toBe('/oauth/box/callback');
    const page = await followCallback(stack, redirect);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Box was successfully connected');
    // The page answered from the authorize update's result, not by polling after a signal.
    expect(await authorizationMessages(stack.temporal, created.id)).toEqual({
      updates: 1,
      updatesCompleted: 1,
      signals: 0,
    });

    const got = await stack.call('GET', `/api/connectors/${created.id}`);
    expect(got.json).toMatchObject({
      status: 'Connected',
      live: true,
      enterpriseId: stack.sim.manifest.enterpriseId,
      authorizedRole: 'admin',
    });
    expect(got.json.details.apiTest.outcome).toBe('passed');
    expect(got.json.details.apiTest.checks.every((c: { passed: boolean }) => c.passed)).toBe(true);

    const described = await stack.temporal.workflow.getHandle(workflowIds.connector(created.id)).describe();
    expect(described.typedSearchAttributes.get(CONNECTOR_STATUS)).toBe('Connected');
    expect(described.typedSearchAttributes.get(BOX_ENTERPRISE_ID)).toBe(stack.sim.manifest.enterpriseId);
    // The children start right after the status says Connected.
    const scan = stack.temporal.workflow.getHandle(workflowIds.scan(created.id));
    const scanStatus = () =>
      scan.describe().then(
        (d) => d.status.name,
        () => 'NOT_STARTED',
      );
    const started = await eventually(scanStatus, {
      what: 'the scan workflow to start',
      timeoutMs: 10_000,
      intervalMs: 100,
      accept: (name) => name !== 'NOT_STARTED',
    });
    expect(started).toBe('RUNNING');
    // The children carry the connector's search attributes: ConnectorId="<id>" lists all four.
    const children = [
      workflowIds.scan(created.id),
      workflowIds.backfill(created.id),
      workflowIds.events(created.id),
    ];
    await eventually(
      () =>
        stack.temporal.workflow
          .getHandle(workflowIds.events(created.id))
          .describe()
          .then(
            () => true,
            () => false,
          ),
      { what: 'the event stream workflow to start', timeoutMs: 10_000, intervalMs: 100 },
    );
    for (const child of children) {
      const attributes = (await stack.temporal.workflow.getHandle(child).describe()).typedSearchAttributes;
      expect({
        child,
        id: attributes.get(CONNECTOR_ID),
        enterprise: attributes.get(BOX_ENTERPRISE_ID),
      }).toEqual({
        child,
        id: created.id,
        enterprise: stack.sim.manifest.enterpriseId,
      });
    }
  });

  it('the histories of a connected connector replay against the current workflow code', async () => {
    const created = await create('Acme replay check');
    await followCallback(
      stack,
      await clickThroughConsent(created.authorizeUrl, stack.sim.manifest.admin.login),
    );
    const scan = stack.temporal.workflow.getHandle(workflowIds.scan(created.id));
    // The status says Connected a moment before the children start: a missing scan is not yet an answer.
    const passDone = () =>
      scan.query(progressQuery).then(
        (p) => Boolean(p.lastPassCompletedAt),
        () => false,
      );
    await eventually(passDone, { what: 'the first full scan pass', timeoutMs: 30_000, intervalMs: 100 });
    // File activity routed by the connector's routing loop is part of the recorded history.
    const file = stack.sim.manifest.files({ activeOnly: true }).next().value!;
    await stack.temporal.workflow.getHandle(workflowIds.connector(created.id)).signal(fileEventsSignal, {
      events: [
        {
          fileId: file.id,
          kind: 'content',
          eventType: 'FILE.UPLOADED',
          occurredAt: new Date().toISOString(),
          source: 'webhook',
        },
      ],
    });
    await eventually(
      async () =>
        ((await scan.fetchHistory()).events ?? []).some(
          (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'prioritize',
        ),
      { what: 'the scan to receive the prioritized file', timeoutMs: 10_000, intervalMs: 100 },
    );
    await stack.call('DELETE', `/api/connectors/${created.id}`);
    await stack.temporal.workflow.getHandle(workflowIds.connector(created.id)).result();
    // RECORD_HISTORIES=1 saves these under the names below; fixtures of earlier code (2026-12-connect-box:
    // before the event-stream patch; 2026-12-event-stream-*: before the routing loop, the repair deadline
    // and the authorize update) stay beside them.
    const failures = await replayWorkflows(stack.temporal, [
      { workflowId: workflowIds.connector(created.id), fixture: '2026-12-authorize-update-connect-box' },
      { workflowId: workflowIds.backfill(created.id), fixture: '2026-12-authorize-update-import-event-log' },
      { workflowId: workflowIds.scan(created.id), fixture: '2026-12-authorize-update-scan-files' },
      { workflowId: workflowIds.events(created.id), fixture: '2026-12-authorize-update-enterprise-events' },
    ]);
    expect(failures).toEqual([]);
  });

  it('the same state cannot be used twice, and a forged state is refused', async () => {
    const created = await create('Acme replay');
    const redirect = await clickThroughConsent(created.authorizeUrl, stack.sim.manifest.admin.login);
    expect((await followCallback(stack, redirect)).status).toBe(200);
    const replay = await followCallback(stack, redirect);
    expect(replay.status).toBe(400);
    expect(replay.html).toContain('already used');

    const forged = new URL(redirect);
    const state = forged.searchParams.get('state')!;
    forged.searchParams.set('state', `${state.split('.')[0]}.${'A'.repeat(43)}`);
    const refused = await followCallback(stack, forged);
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('not issued by this connect-box');
  });

  it('a co-admin connects with a warning: other admins are out of scope', async () => {
    const created = await create('Acme coadmin');
    const coadmin = stack.sim.manifest.coadmins[0]!;
    const page = await followCallback(stack, await clickThroughConsent(created.authorizeUrl, coadmin.login));
    expect(page.html).toContain('Box was connected, with a warning');
    const got = await stack.call('GET', `/api/connectors/${created.id}`);
    expect(got.json.status).toBe('Connected');
    expect(got.json.details.apiTest).toMatchObject({
      outcome: 'passedWithWarning',
      scope: 'allButOtherAdmins',
    });
    expect(got.json.message).toContain('files owned by other admins are out of scope');
  });

  it('a plain user fails the API test, gets told why, and nothing is scanned', async () => {
    const created = await create('Acme user');
    const user = stack.sim.manifest.users.find((u) => u.role === 'user' && u.inEnterprise)!;
    const page = await followCallback(stack, await clickThroughConsent(created.authorizeUrl, user.login));
    expect(page.html).toContain('The API test failed');
    expect(page.html).toContain('not a Box admin');
    const got = await stack.call('GET', `/api/connectors/${created.id}`);
    expect(got.json.status).toBe('ApiTestFailed');
    await expect(
      stack.temporal.workflow.getHandle(workflowIds.scan(created.id)).describe(),
    ).rejects.toThrow();
  });

  it('a connector already connected as an admin refuses another authorization with a 409 page', async () => {
    const created = await create('Acme twice');
    const admin = stack.sim.manifest.admin.login;
    expect(
      (await followCallback(stack, await clickThroughConsent(created.authorizeUrl, admin))).html,
    ).toContain('Box was successfully connected');
    const fresh = await stack.call('POST', `/api/connectors/${created.id}/authorize`);
    expect(fresh.status).toBe(200);
    const again = await followCallback(stack, await clickThroughConsent(fresh.json.authorizeUrl, admin));
    expect(again.status).toBe(409);
    expect(again.html).toContain('Authorization not used');
    expect(again.html).toContain('already connected as');
    const got = await stack.call('GET', `/api/connectors/${created.id}`);
    expect(got.json).toMatchObject({ status: 'Connected' });
    expect(got.json.details.authorizationAttempts).toBe(1);
  });

  it('Deny on the consent page says access was denied and connects nothing', async () => {
    const created = await create('Acme deny');
    const page = await followCallback(
      stack,
      await clickThroughConsent(created.authorizeUrl, stack.sim.manifest.admin.login, 'deny'),
    );
    expect(page.status).toBe(403);
    expect(page.html).toContain('Access was denied in Box');
    expect((await stack.call('GET', `/api/connectors/${created.id}`)).json.status).toBe(
      'AwaitingAuthorization',
    );
  });

  it('disconnect cancels the children, revokes the token and frees the name', async () => {
    const created = await create('Acme bye');
    await followCallback(
      stack,
      await clickThroughConsent(created.authorizeUrl, stack.sim.manifest.admin.login),
    );
    expect((await stack.call('DELETE', `/api/connectors/${created.id}`)).status).toBe(202);
    const result = await stack.temporal.workflow.getHandle(workflowIds.connector(created.id)).result();
    expect(result.status).toBe('Disconnected');
    const scan = stack.temporal.workflow.getHandle(workflowIds.scan(created.id));
    const ended = await eventually(async () => (await scan.describe()).status.name, {
      what: 'the scan workflow to end',
      timeoutMs: 5_000,
      accept: (name) => name !== 'RUNNING',
    });
    expect(ended).toBe('CANCELLED');
    const stream = stack.temporal.workflow.getHandle(workflowIds.events(created.id));
    const streamEnded = await eventually(async () => (await stream.describe()).status.name, {
      what: 'the event stream workflow to end',
      timeoutMs: 5_000,
      accept: (name) => name !== 'RUNNING',
    });
    expect(streamEnded).toBe('CANCELLED');
    expect(await stack.deps.vault.load(created.id)).toBeUndefined();
    expect(
      (await stack.call('POST', '/api/connectors', { instanceName: 'Acme bye', dataCenter: 'US1' })).status,
    ).toBe(201);
  });

  it('bad input gets a clear 4xx and never reaches a workflow', async () => {
    const bad = await stack.call('POST', '/api/connectors', { instanceName: '', dataCenter: 'MARS' });
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toMatch(/instanceName.*dataCenter: one of US1, US2, US3, EU1, EU2/);
    expect(
      (await stack.call('POST', '/api/connectors', { instanceName: 'x', dataCenter: 'EU1' })).json.detail,
    ).toContain('BOX_EU1_CLIENT_ID');
    await create('Acme dup');
    expect(
      (await stack.call('POST', '/api/connectors', { instanceName: 'Acme dup', dataCenter: 'US1' })).status,
    ).toBe(409);
    expect((await stack.call('GET', '/api/connectors/nope')).status).toBe(404);
    const noToken = await stack.api.inject({ method: 'GET', url: '/api/connectors' });
    expect(noToken.statusCode).toBe(401);
    const badJson = await stack.api.inject({
      method: 'POST',
      url: '/api/connectors',
      payload: '{nope',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.config.api.token}` },
    });
    expect(badJson.statusCode).toBe(400);
  });
});
