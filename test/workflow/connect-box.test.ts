import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError, WorkflowUpdateStage, type WorkflowHandle } from '@temporalio/client';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { workflowBundle } from '../helpers/workflow-bundle';
import { eventually } from '../helpers/eventually';
import { connectBox, type ConnectBoxInput } from '../../workflows/connect-box';
import {
  AUTHORIZE_REJECTED,
  authorizeUpdate,
  backfillFinishedSignal,
  disconnectSignal,
  fileEventsSignal,
  oauthAuthorizedSignal,
  statusQuery,
  tokenRejectedSignal,
} from '../../workflows/connect-box-messages';
import { CONNECT_FAILURES, type ConnectActivities } from '../../workflows/connect-box-activities';
import type { EventLogActivities } from '../../workflows/import-event-log-activities';
import type { EventStreamActivities } from '../../workflows/enterprise-events-activities';
import type { ApiTestReport, ConnectorStatus } from '../../domain/connector-status';
import { progressQuery } from '../../workflows/scan-files-messages';
import { workflowIds } from '../../common/workflow-ids';

const TASK_QUEUE = 'connect-box-test';

/** API test reports by the code the fake exchange received (the code names the account). */
function reportFor(role: string): ApiTestReport {
  const base = {
    checks: [{ name: 'authorized-user', passed: true, message: `signed in as ${role}@acme.test` }],
    testedAt: new Date().toISOString(),
  };
  if (role === 'admin')
    return {
      ...base,
      outcome: 'passed',
      summary: 'All checks passed.',
      user: { id: '1', login: 'admin@acme.test', name: 'Ada', role: 'admin' },
      enterprise: { id: 'e1', name: 'Acme' },
      scope: 'allUsers',
    };
  if (role === 'coadmin')
    return {
      ...base,
      outcome: 'passedWithWarning',
      summary: 'The account is a co-admin: files owned by other admins are out of scope.',
      user: { id: '2', login: 'co@acme.test', name: 'Co', role: 'coadmin' },
      enterprise: { id: 'e1', name: 'Acme' },
      scope: 'allButOtherAdmins',
    };
  return {
    ...base,
    outcome: 'failed',
    summary: 'The account is not a Box admin.',
    user: { id: '3', login: 'user@acme.test', name: 'U', role: 'user' },
    enterprise: { id: 'e1', name: 'Acme' },
  };
}

/** Fake activities: record calls; `gate` lets a test hold a step to act in the middle of it. */
class FakeBox implements ConnectActivities, EventLogActivities, EventStreamActivities {
  calls: string[] = [];
  recorded: string[] = [];
  codes = new Map<string, string>();
  gate: { step: string; release: Promise<void> } | undefined;

  reset() {
    this.calls = [];
    this.recorded = [];
    this.prioritized = [];
    this.gate = undefined;
  }

  private async hold(step: string) {
    if (this.gate?.step === step) await this.gate.release;
  }
  async exchangeAuthorizationCode({ connectorId, code }: { connectorId: string; code: string }) {
    this.calls.push(`exchange:${code}`);
    await this.hold('exchange');
    if (code === 'expired')
      throw ApplicationFailure.nonRetryable(
        'Box refused the authorization code: it expired.',
        CONNECT_FAILURES.codeRejected,
      );
    this.codes.set(connectorId, code);
  }
  async runApiTest({ connectorId }: { connectorId: string }) {
    this.calls.push('apiTest');
    await this.hold('apiTest');
    return reportFor(this.codes.get(connectorId) ?? 'user');
  }
  recordConnectorStatus({ status }: { status: string }) {
    this.recorded.push(status);
    return Promise.resolve();
  }
  registrations: string[] = [];
  async registerWebhooks({ connectorId }: { connectorId: string }) {
    this.calls.push('registerWebhooks');
    this.registrations.push(connectorId);
    await this.hold('registerWebhooks');
    return { folders: 3, created: 3, recreated: 0, removed: 0 };
  }
  removeWebhooks() {
    this.calls.push('removeWebhooks');
    return Promise.resolve({ removed: 3 });
  }
  revokeConnectorTokens() {
    this.calls.push('revoke');
    return Promise.resolve();
  }
  // The scan child runs too: an enterprise with no users, and priority scans recorded.
  prioritized: string[] = [];
  startScanPass() {
    return Promise.resolve({ usersTotal: 0, policyVersion: 'v1' });
  }
  nextScanUsers() {
    return Promise.resolve([]);
  }
  finishScanPass() {
    return Promise.resolve({ deleted: 0 });
  }
  scanPriorityFiles({ files }: { files: Array<{ fileId: string }> }) {
    this.prioritized.push(...files.map((f) => f.fileId));
    return Promise.resolve({ scanned: files.length, deleted: 0, findings: 0 });
  }
  // The event stream child: caught up, nothing new.
  readEventStream() {
    return Promise.resolve({
      nextStreamPosition: '1',
      read: 0,
      recorded: 0,
      webhookDuplicates: 0,
      files: [],
      recentEventIds: [],
      caughtUp: true,
    });
  }
  importEventPages() {
    this.calls.push('importEventPages');
    return Promise.resolve({ imported: 42, pages: 1, nextStreamPosition: '100', done: true });
  }
}

/** A file event as the webhook receiver sends it. */
function fileEvent(fileId: string) {
  return {
    fileId,
    kind: 'content' as const,
    eventType: 'FILE.UPLOADED',
    occurredAt: new Date().toISOString(),
    source: 'webhook' as const,
  };
}

function input(connectorId: string, extra: Partial<ConnectBoxInput> = {}): ConnectBoxInput {
  return {
    connectorId,
    instanceName: `Acme ${connectorId}`,
    dataCenter: 'US1',
    authorizationTimeoutMs: 15 * 60_000,
    backfillWindowMs: 7 * 86_400_000,
    rescanIntervalMs: 12 * 3_600_000,
    taskQueues: { main: TASK_QUEUE, scan: TASK_QUEUE, priority: TASK_QUEUE },
    // The connectors of earlier tests keep running: with the default poll their event streams would read
    // every 5 s of the hours the repair tests skip.
    eventStreamPollMs: 3_600_000,
    ...extra,
  };
}

/** The connector's status once `predicate` holds (fails with the last status seen). */
function waitForStatus(
  handle: WorkflowHandle,
  predicate: (s: ConnectorStatus) => boolean,
): Promise<ConnectorStatus> {
  return eventually(() => handle.query(statusQuery), {
    what: 'the connector status to match',
    timeoutMs: 10_000,
    accept: predicate,
  });
}

/** A time-skipping server and a worker running every workflow with `fake`'s activities, for one describe. */
function timeSkippingWorker(fake: FakeBox) {
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      // Bound methods: the worker registers an object's own function properties.
      activities: {
        exchangeAuthorizationCode: fake.exchangeAuthorizationCode.bind(fake),
        runApiTest: fake.runApiTest.bind(fake),
        recordConnectorStatus: fake.recordConnectorStatus.bind(fake),
        revokeConnectorTokens: fake.revokeConnectorTokens.bind(fake),
        registerWebhooks: fake.registerWebhooks.bind(fake),
        removeWebhooks: fake.removeWebhooks.bind(fake),
        importEventPages: fake.importEventPages.bind(fake),
        startScanPass: fake.startScanPass.bind(fake),
        nextScanUsers: fake.nextScanUsers.bind(fake),
        finishScanPass: fake.finishScanPass.bind(fake),
        scanPriorityFiles: fake.scanPriorityFiles.bind(fake),
        readEventStream: fake.readEventStream.bind(fake),
      },
    });
    running = worker.run();
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });
  const current = () => {
    if (!env) throw new Error('the time-skipping server is not started yet');
    return env;
  };
  return {
    env: current,
    start: (id: string, extra?: Partial<ConnectBoxInput>) =>
      current().client.workflow.start(connectBox, {
        taskQueue: TASK_QUEUE,
        workflowId: workflowIds.connector(id),
        args: [input(id, extra)],
      }),
  };
}

describe('connectBox on the time-skipping server', () => {
  const fake = new FakeBox();
  const setup = timeSkippingWorker(fake);
  const start = setup.start;
  let env: TestWorkflowEnvironment;
  beforeAll(() => {
    env = setup.env();
  });

  it('expires when no authorization arrives within the window, and can still be authorized later', async () => {
    const handle = await start('expire');
    await env.sleep('16m');
    const expired = await waitForStatus(handle, (s) => s.status === 'AuthorizationExpired');
    expect(expired.nextStep).toMatch(/fresh authorize URL/);
    await handle.signal(oauthAuthorizedSignal, { code: 'admin' });
    await waitForStatus(handle, (s) => s.status === 'Connected');
  });

  it('an admin connects: API test passed, backfill and scan children started and reporting', async () => {
    const handle = await start('admin');
    await handle.signal(oauthAuthorizedSignal, { code: 'admin' });
    const status = await waitForStatus(
      handle,
      (s) => s.status === 'Connected' && s.backfill?.state === 'finished',
    );
    expect(status.apiTest?.outcome).toBe('passed');
    expect(status.message).toContain('successfully connected');
    expect(status.backfill).toMatchObject({ state: 'finished', imported: 42 });
    expect(fake.recorded).toEqual(['AwaitingAuthorization', 'Authorizing', 'RunningApiTest', 'Connected']);
    const scan = env.client.workflow.getHandle(workflowIds.scan('admin'));
    expect((await scan.describe()).status.name).toBe('RUNNING');
    await expect(scan.query(progressQuery)).resolves.toMatchObject({ usersTotal: 0 });
  });

  it('a co-admin connects with a warning and other admins out of scope', async () => {
    const handle = await start('coadmin');
    await handle.signal(oauthAuthorizedSignal, { code: 'coadmin' });
    const status = await waitForStatus(handle, (s) => s.status === 'Connected');
    expect(status.apiTest).toMatchObject({ outcome: 'passedWithWarning', scope: 'allButOtherAdmins' });
    expect(status.message).toMatch(/warning.*other admins.*out of scope/);
  });

  it('a plain user fails the API test, nothing is scanned, and an admin can authorize afterwards', async () => {
    const handle = await start('user');
    await handle.signal(oauthAuthorizedSignal, { code: 'user' });
    const failed = await waitForStatus(handle, (s) => s.status === 'ApiTestFailed');
    expect(failed.message).toContain('not a Box admin');
    expect(fake.calls).toContain('revoke');
    await expect(env.client.workflow.getHandle(workflowIds.scan('user')).describe()).rejects.toThrow();
    await handle.signal(oauthAuthorizedSignal, { code: 'admin' });
    await waitForStatus(handle, (s) => s.status === 'Connected');
  });

  it('a rejected code sends the connector back to waiting with the reason', async () => {
    const handle = await start('expired-code');
    await handle.signal(oauthAuthorizedSignal, { code: 'expired' });
    const status = await waitForStatus(
      handle,
      (s) => s.authorizationAttempts === 1 && s.status === 'AwaitingAuthorization',
    );
    expect(status.message).toContain('it expired');
  });

  for (const phase of ['AwaitingAuthorization', 'Authorizing', 'RunningApiTest', 'Connected'] as const) {
    it(`disconnect during ${phase} ends Disconnected, revokes the token and cancels the children`, async () => {
      let release: () => void = () => undefined;
      if (phase === 'Authorizing')
        fake.gate = { step: 'exchange', release: new Promise((r) => (release = r)) };
      if (phase === 'RunningApiTest')
        fake.gate = { step: 'apiTest', release: new Promise((r) => (release = r)) };
      const id = `disconnect-${phase}`;
      const handle = await start(id);
      if (phase !== 'AwaitingAuthorization') {
        await handle.signal(oauthAuthorizedSignal, { code: 'admin' });
        await waitForStatus(handle, (s) => s.status === phase);
      }
      await handle.signal(disconnectSignal, { reason: 'removed by the operator' });
      release();
      const final = await handle.result();
      expect(final.status).toBe('Disconnected');
      expect(final.message).toContain('removed by the operator');
      expect(fake.calls).toContain('revoke');
      if (phase !== 'AwaitingAuthorization') {
        const scan = env.client.workflow.getHandle(workflowIds.scan(id));
        const ended = await eventually(async () => (await scan.describe()).status.name, {
          what: 'the scan workflow to end',
          timeoutMs: 5_000,
          accept: (name) => name !== 'RUNNING',
        });
        expect(ended).toBe('CANCELLED');
      }
    });
  }

  it('a rejected refresh token pauses as NeedsReauthorization until an admin authorizes again', async () => {
    const handle = await start('reauth');
    await handle.signal(oauthAuthorizedSignal, { code: 'admin' });
    await waitForStatus(handle, (s) => s.status === 'Connected');
    await handle.signal(tokenRejectedSignal, { message: 'The refresh token was revoked.' });
    const paused = await waitForStatus(handle, (s) => s.status === 'NeedsReauthorization');
    expect(paused.message).toContain('Scanning is paused');
    await handle.signal(oauthAuthorizedSignal, { code: 'admin' });
    const again = await waitForStatus(
      handle,
      (s) => s.status === 'Connected' && s.authorizationAttempts === 2,
    );
    expect(again.connectedAt).toBe(paused.connectedAt);
  });

  it('continues as new after many signals and keeps its status', async () => {
    const handle = await start('can', { signalsPerRun: 5 });
    await handle.signal(oauthAuthorizedSignal, { code: 'admin' });
    const before = await waitForStatus(
      handle,
      (s) => s.status === 'Connected' && s.backfill?.state === 'finished',
    );
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 5; i++) {
      await handle.signal(fileEventsSignal, {
        events: [
          {
            fileId: `f${i}`,
            kind: 'content',
            eventType: 'FILE.UPLOADED',
            occurredAt: new Date().toISOString(),
            source: 'webhook',
          },
        ],
      });
    }
    await waitForStatus(handle, () => true);
    const latest = env.client.workflow.getHandle(workflowIds.connector('can'));
    await eventually(async () => (await latest.describe()).runId, {
      what: 'the connector to continue as new',
      timeoutMs: 5_000,
      accept: (runId) => runId !== firstRun,
    });
    const after = await latest.query(statusQuery);
    expect(after).toMatchObject({
      status: 'Connected',
      connectedAt: before.connectedAt,
      backfill: before.backfill,
      apiTest: before.apiTest,
    });
    await eventually(() => fake.prioritized.length, {
      what: 'five files prioritized',
      timeoutMs: 5_000,
      accept: (n) => n >= 5,
    });
    expect(fake.prioritized.sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
  });

  it('routes file activity while registerWebhooks is held, and the held step still completes', async () => {
    let release: () => void = () => undefined;
    fake.gate = { step: 'registerWebhooks', release: new Promise((r) => (release = r)) };
    const handle = await start('route-while-registering');
    try {
      await routedWhileHeld(handle);
    } finally {
      release(); // a failure must not leave the step held (the worker's shutdown waits for it)
    }
    const registered = await waitForStatus(handle, (s) => s.webhooks?.folders === 3);
    expect(registered.webhooks?.problem).toBeUndefined();
    await handle.signal(disconnectSignal, { reason: 'test over' });
    expect((await handle.result()).status).toBe('Disconnected');
  });

  async function routedWhileHeld(handle: WorkflowHandle) {
    await handle.signal(oauthAuthorizedSignal, { code: 'admin' });
    await waitForStatus(handle, (s) => s.status === 'Connected');
    await eventually(() => fake.calls.includes('registerWebhooks'), {
      what: 'registerWebhooks to be running',
      timeoutMs: 10_000,
    });
    await handle.signal(fileEventsSignal, { events: [fileEvent('held-1'), fileEvent('held-2')] });
    await eventually(() => [...fake.prioritized].sort(), {
      what: 'both files prioritized while registerWebhooks is held',
      timeoutMs: 10_000,
      accept: (ids) => ids.includes('held-1') && ids.includes('held-2'),
    });
    // The step is still held: routing did not wait for it.
    expect((await handle.query(statusQuery)).webhooks).toBeUndefined();
  }

  it('routes the events queued at continue-as-new exactly once, in the next run or before it', async () => {
    const handle = await start('can-events', { signalsPerRun: 3 });
    await handle.signal(oauthAuthorizedSignal, { code: 'admin' });
    await waitForStatus(handle, (s) => s.status === 'Connected' && s.backfill?.state === 'finished');
    const firstRun = (await handle.describe()).runId;
    // Sent back to back: the run continues as new with some of them possibly still queued.
    await Promise.all(
      ['q1', 'q2', 'q3', 'q4'].map((id) => handle.signal(fileEventsSignal, { events: [fileEvent(id)] })),
    );
    const latest = env.client.workflow.getHandle(workflowIds.connector('can-events'));
    await eventually(async () => (await latest.describe()).runId, {
      what: 'the connector to continue as new',
      timeoutMs: 10_000,
      accept: (runId) => runId !== firstRun,
    });
    await eventually(() => fake.prioritized.length, {
      what: 'four files prioritized',
      timeoutMs: 10_000,
      accept: (n) => n >= 4,
    });
    expect([...fake.prioritized].sort()).toEqual(['q1', 'q2', 'q3', 'q4']);
  });

  describe('the authorize update', () => {
    for (const [code, outcome, status] of [
      ['admin', 'passed', 'Connected'],
      ['coadmin', 'passedWithWarning', 'Connected'],
      ['user', 'failed', 'ApiTestFailed'],
      ['expired', 'notAuthorized', 'AwaitingAuthorization'],
    ] as const) {
      it(`answers with the API test's outcome: ${code} -> ${outcome}`, async () => {
        const handle = await start(`update-${code}`);
        const result = await handle.executeUpdate(authorizeUpdate, { args: [{ code }] });
        expect(result.outcome).toBe(outcome);
        expect(result.status).toMatchObject({ status, authorizationAttempts: 1 });
        if (outcome === 'notAuthorized') expect(result.status.message).toContain('it expired');
        else expect(result.status.apiTest?.outcome).toBe(outcome);
        await handle.signal(disconnectSignal, { reason: 'test over' });
        expect((await handle.result()).status).toBe('Disconnected');
      });
    }

    it('the validator refuses while an authorization runs and once connected as an admin, saying why', async () => {
      let release: () => void = () => undefined;
      fake.gate = { step: 'exchange', release: new Promise((r) => (release = r)) };
      const handle = await start('update-refused');
      const first = await handle.startUpdate(authorizeUpdate, {
        args: [{ code: 'admin' }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      try {
        await waitForStatus(handle, (s) => s.status === 'Authorizing');
        const busy = await handle
          .executeUpdate(authorizeUpdate, { args: [{ code: 'coadmin' }] })
          .catch((e: unknown) => e);
        expect(busy).toBeInstanceOf(WorkflowUpdateFailedError);
        expect((busy as WorkflowUpdateFailedError).cause).toMatchObject({
          type: AUTHORIZE_REJECTED,
          message: expect.stringContaining('already in progress'),
        });
      } finally {
        release();
      }
      await expect(first.result()).resolves.toMatchObject({ outcome: 'passed' });
      const again = await handle
        .executeUpdate(authorizeUpdate, { args: [{ code: 'admin' }] })
        .catch((e: unknown) => e);
      expect((again as WorkflowUpdateFailedError).cause).toMatchObject({
        type: AUTHORIZE_REJECTED,
        message: expect.stringContaining('already connected as admin@acme.test'),
      });
      const badCode = await handle
        .executeUpdate(authorizeUpdate, { args: [{ code: 'not a code!' }] })
        .catch((e: unknown) => e);
      expect((badCode as WorkflowUpdateFailedError).cause?.message).toContain('not one Box issues');
      // Refused updates changed nothing; the old signal still works for old clients.
      const status = await handle.query(statusQuery);
      expect(status).toMatchObject({ status: 'Connected', authorizationAttempts: 1 });
      expect(fake.calls.filter((c) => c.startsWith('exchange:'))).toEqual(['exchange:admin']);
      await handle.signal(disconnectSignal, { reason: 'test over' });
      expect((await handle.result()).status).toBe('Disconnected');
    });

    it('a co-admin connection may be authorized again by update (its next step says so)', async () => {
      const handle = await start('update-upgrade');
      await expect(
        handle.executeUpdate(authorizeUpdate, { args: [{ code: 'coadmin' }] }),
      ).resolves.toMatchObject({ outcome: 'passedWithWarning' });
      await expect(
        handle.executeUpdate(authorizeUpdate, { args: [{ code: 'admin' }] }),
      ).resolves.toMatchObject({ outcome: 'passed', status: { authorizationAttempts: 2 } });
      await handle.signal(disconnectSignal, { reason: 'test over' });
      await handle.result();
    });
  });
});

describe('connectBox webhook repair on a deadline (time-skipping server of its own)', () => {
  // Its own server: the connectors other tests leave running would wake up in the hours skipped here.
  const fake = new FakeBox();
  const setup = timeSkippingWorker(fake);
  const start = setup.start;
  let env: TestWorkflowEnvironment;
  beforeAll(() => {
    env = setup.env();
  });
  const HOUR = 3_600_000;
  const registrations = (id: string) => fake.registrations.filter((c) => c === id).length;
  const registered = (id: string, n: number) =>
    eventually(() => registrations(id), {
      what: `${n} registerWebhooks calls`,
      timeoutMs: 10_000,
      accept: (count) => count >= n,
    });
  const hourly = { rescanIntervalMs: HOUR };
  // Disconnects and waits for the end without result(): awaiting a result lets the time-skipping server
  // jump hours ahead, and every connector of the earlier tests would wake up.
  const disconnected = async (handle: WorkflowHandle) => {
    await handle.signal(disconnectSignal, { reason: 'test over' });
    const ended = await eventually(async () => (await handle.describe()).status.name, {
      what: 'the connector to end',
      timeoutMs: 10_000,
      accept: (name) => name !== 'RUNNING',
    });
    expect(ended).toBe('COMPLETED');
  };

  it('reads state carried by older runs (no deadline in it) as due one interval later', async () => {
    const now = new Date().toISOString();
    const status: ConnectorStatus = {
      connectorId: 'repair-old',
      instanceName: 'Acme repair-old',
      dataCenter: 'US1',
      status: 'Connected',
      message: 'Box was successfully connected as admin@acme.test.',
      authorizationAttempts: 1,
      connectedAt: now,
      updatedAt: now,
      apiTest: reportFor('admin'),
    };
    const handle = await start('repair-old', {
      ...hourly,
      carried: { status, childrenStarted: false },
    });
    await env.sleep('50m');
    await handle.signal(fileEventsSignal, { events: [fileEvent('old-1')] });
    await env.sleep('5m');
    expect(registrations('repair-old')).toBe(0);
    await env.sleep('10m');
    await registered('repair-old', 1);
    await disconnected(handle);
  });

  it('runs on its deadline under a steady stream of signals', async () => {
    const handle = await start('repair-steady', hourly);
    await handle.signal(oauthAuthorizedSignal, { code: 'admin' });
    await waitForStatus(handle, (s) => s.webhooks?.folders === 3);
    expect(registrations('repair-steady')).toBe(1);
    // Signals every 10 minutes for 80 minutes: each restarted the wait before. (File activity no longer
    // wakes the main loop at all; a signal it handles, like a repeated backfillFinished, still does.)
    for (let i = 0; i < 8; i++) {
      await handle.signal(fileEventsSignal, { events: [fileEvent(`steady-${i}`)] });
      await handle.signal(backfillFinishedSignal, { imported: 42 });
      await env.sleep('10m');
    }
    await registered('repair-steady', 2);
    expect(registrations('repair-steady')).toBe(2);
    expect(fake.prioritized).toEqual(expect.arrayContaining(['steady-0', 'steady-7']));
    await disconnected(handle);
  });

  it('keeps its deadline across continue-as-new', async () => {
    const handle = await start('repair-can', { ...hourly, signalsPerRun: 2 });
    await handle.signal(oauthAuthorizedSignal, { code: 'admin' });
    await registered('repair-can', 1);
    // OAuth and backfillFinished are two signals: the first run continues as new. A query or a signal sent
    // while a run continues as new can hang on the time-skipping server: this test waits for each new run
    // (describe) and queries nothing.
    let runId = await eventually(async () => (await handle.describe()).runId, {
      what: 'the first continue-as-new',
      timeoutMs: 10_000,
      accept: (id) => id !== handle.firstExecutionRunId,
    });
    const runs = new Set([handle.firstExecutionRunId, runId]);
    for (let i = 0; i < 4; i++) {
      // Two signals: the run continues as new, every 20 minutes (each new run would have put the
      // deadline an hour after its start, so without the carried deadline no repair happens in 80 min).
      await handle.signal(fileEventsSignal, { events: [fileEvent(`can-${i}-a`)] });
      await handle.signal(fileEventsSignal, { events: [fileEvent(`can-${i}-b`)] });
      // The new run first, then the skipped time.
      const previous = runId;
      runId = await eventually(async () => (await handle.describe()).runId, {
        what: `continue-as-new ${i}`,
        timeoutMs: 10_000,
        accept: (id) => id !== previous,
      });
      runs.add(runId);
      await env.sleep('20m');
    }
    expect(runs.size).toBe(6);
    await registered('repair-can', 2);
    expect(registrations('repair-can')).toBe(2);
    await eventually(() => new Set(fake.prioritized).size, {
      what: 'every file routed across the runs',
      timeoutMs: 10_000,
      accept: (n) => n >= 8,
    });
    await disconnected(env.client.workflow.getHandle(workflowIds.connector('repair-can')));
  });
});
