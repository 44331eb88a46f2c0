/**
 * Webhooks end to end: registration against box-sim, box-sim's signed deliveries over HTTP to a listening
 * API, fileActivity signals to the connector (counted in its history), refusals, and a burst.
 */
import type { Client } from '@temporalio/client';
import { fetchDecodedHistory } from '../helpers/replay';
import { Agent, request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { defaultPayloadConverter } from '@temporalio/common';
import { createWebhookActivities, type WebhookRegistration } from '../../activities/webhook-activities';
import { boxSignature } from '../../api/webhook-signature';
import { workflowIds } from '../../common/workflow-ids';
import { EventLogRepository } from '../../store/event-log-repository';
import { WebhooksRepository } from '../../store/webhooks-repository';
import { progressQuery } from '../../workflows/scan-files-messages';
import type { FileEvent } from '../../domain/file-event';
import type { FileTruth } from '../../box-sim';
import { clickThroughConsent } from '../helpers/box-consent';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { createLocalEnv } from '../helpers/temporal-env';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-ports';

/** fileActivity signals the connector received, over every run of its continue-as-new chain. */
async function fileActivitySignals(temporal: Client, connectorId: string) {
  const workflowId = workflowIds.connector(connectorId);
  const runs: Array<{ runId: string; signals: number; fileActivitySignals: number; historyLength: number }> =
    [];
  const activities: FileEvent[] = [];
  for await (const run of temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await fetchDecodedHistory(temporal, workflowId, run.runId);
    let signals = 0;
    let signalEvents = 0;
    for (const e of history.events ?? []) {
      const signalled = e.workflowExecutionSignaledEventAttributes;
      if (!signalled) continue;
      signalEvents++;
      if (signalled.signalName !== 'fileActivity') continue;
      signals++;
      const arg = defaultPayloadConverter.fromPayload<{ events: FileEvent[] }>(
        signalled.input!.payloads![0]!,
      );
      activities.push(...arg.events);
    }
    runs.push({
      runId: run.runId,
      signals: signalEvents,
      fileActivitySignals: signals,
      historyLength: history.events?.length ?? 0,
    });
  }
  return { signals: runs.reduce((n, r) => n + r.fileActivitySignals, 0), runs, activities };
}

describe('Box webhooks: registration, signed deliveries, refusals, burst (dev server, box-sim, listening API)', () => {
  let env: TestWorkflowEnvironment;
  let stack: ConnectStack;
  let connectorId: string;
  let port: number;
  let activities: ReturnType<typeof createWebhookActivities>;
  let hooks: WebhooksRepository;
  let log: EventLogRepository;
  const mock = new MockActivityEnvironment();
  const register = (): Promise<WebhookRegistration> =>
    mock.run(activities.registerWebhooks, {
      connectorId,
      dataCenter: 'US1' as const,
      scope: 'allUsers' as const,
    });

  beforeAll(async () => {
    port = await freePort();
    env = await createLocalEnv();
    stack = await startConnectStack({
      env,
      sim: { users: 6, files: 300, webhookRetryDelaysMs: [300, 600, 1200], webhookTimeoutMs: 10_000 },
      settings: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}` },
    });
    await stack.api.listen({ port, host: '127.0.0.1' });
    const created = await stack.call('POST', '/api/connectors', { instanceName: 'Hooks', dataCenter: 'US1' });
    connectorId = (created.json as { id: string }).id;
    const redirect = await clickThroughConsent(
      (created.json as { authorizeUrl: string }).authorizeUrl,
      stack.sim.manifest.admin.login,
    );
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    await eventually(
      async () => (await stack.call('GET', `/api/connectors/${connectorId}`)).json?.status === 'Connected',
      { what: 'the connector to be Connected', timeoutMs: 60_000, intervalMs: 100 },
    );
    activities = createWebhookActivities({
      config: stack.config,
      store: stack.deps.store,
      clients: stack.deps.clients,
    });
    hooks = new WebhooksRepository(stack.deps.store.db);
    log = new EventLogRepository(stack.deps.store.db);
  });
  afterAll(async () => {
    await stack?.close();
    await env?.teardown();
  });

  const belowAFolder = (f: FileTruth) => f.path.split('/').length > 2;
  /** A file below a top-level folder (files directly in a root are watched by no webhook). */
  const fileBelowAFolder = (skip = 0): FileTruth =>
    [...stack.sim.manifest.files({ activeOnly: true })].filter(belowAFolder)[skip]!;

  it('registers one webhook per top-level folder of each user, and a second call keeps them', async () => {
    const first = await register();
    expect(first.users).toBe(stack.sim.manifest.users.filter((u) => u.inEnterprise).length);
    expect(first.folders).toBeGreaterThan(0);
    // The connector workflow may have registered them already on Connected: then they are adopted or kept.
    expect(first.created + first.adopted + first.kept).toBe(first.folders);
    expect(await hooks.count(connectorId)).toBe(first.folders);
    const second = await register();
    expect(second).toMatchObject({ folders: first.folders, created: 0, recreated: 0, removed: 0 });
    expect(second.kept + second.adopted).toBe(first.folders);
  });

  it('repairs: a webhook deleted at Box is re-created, one missing from the store is adopted', async () => {
    const [gone, forgotten] = await hooks.list(connectorId);
    const client = stack.deps.clients.get(connectorId, 'US1');
    await client.withAsUserHeader(gone!.user_id).webhooks.deleteWebhookById(gone!.webhook_id);
    await hooks.remove(connectorId, forgotten!.webhook_id);
    const repaired = await register();
    expect(repaired).toMatchObject({ recreated: 1, adopted: 1, created: 0, removed: 0 });
    const rows = await hooks.list(connectorId);
    expect(rows.find((r) => r.target_id === gone!.target_id)!.webhook_id).not.toBe(gone!.webhook_id);
    expect(rows.find((r) => r.target_id === forgotten!.target_id)!.webhook_id).toBe(forgotten!.webhook_id);
  });

  it('edit, share and collaborate reach the connector as fileActivity and the scan rescans the files', async () => {
    const scan = stack.temporal.workflow.getHandle(workflowIds.scan(connectorId));
    const before = await fileActivitySignals(stack.temporal, connectorId);
    const scannedBefore = (await scan.query(progressQuery)).priorityScanned;
    const candidates = [...stack.sim.manifest.files({ activeOnly: true })].filter(
      (f) => belowAFolder(f) && f.sharedLinkAccess === 'none',
    );
    const [a, b, c] = [candidates[10]!, candidates[11]!, candidates[12]!];
    stack.sim.control.edit(a.id);
    stack.sim.control.share(b.id, { access: 'open' });
    stack.sim.control.collaborate(c.id, { email: 'partner@outside.example' });
    await stack.sim.webhooksIdle();
    const after = await eventually(() => fileActivitySignals(stack.temporal, connectorId), {
      what: 'three file events',
      timeoutMs: 60_000,
      intervalMs: 100,
      accept: (s) => s.activities.length >= before.activities.length + 3,
    });
    const fresh = after.activities.slice(before.activities.length);
    expect(fresh.map((e) => [e.fileId, e.kind, e.eventType]).sort()).toEqual(
      [
        [a.id, 'content', 'FILE.UPLOADED'],
        [b.id, 'sharing', 'SHARED_LINK.CREATED'],
        [c.id, 'sharing', 'COLLABORATION.CREATED'],
      ].sort(),
    );
    await eventually(async () => (await scan.query(progressQuery)).priorityScanned, {
      what: 'the three priority rescans',
      timeoutMs: 60_000,
      intervalMs: 100,
      accept: (n) => n >= scannedBefore + 3,
    });
    const row = (await log.query(connectorId, { fileId: a.id, types: ['FILE.UPLOADED'] })).items[0];
    expect(row).toMatchObject({ source: 'webhook', kind: 'content' });
  });

  it('preview and download are recorded as views without a signal; trash is a delete', async () => {
    const before = await fileActivitySignals(stack.temporal, connectorId);
    const file = fileBelowAFolder(3);
    stack.sim.control.preview(file.id);
    stack.sim.control.download(file.id);
    await stack.sim.webhooksIdle();
    const views = await log.query(connectorId, { fileId: file.id, kinds: ['view'] });
    // (The enterprise event log brings PREVIEW and DOWNLOAD too; here only what the webhooks recorded.)
    expect(
      views.items
        .filter((r) => r.source === 'webhook')
        .map((r) => r.event_type)
        .sort(),
    ).toEqual(['FILE.DOWNLOADED', 'FILE.PREVIEWED']);
    expect((await fileActivitySignals(stack.temporal, connectorId)).signals).toBe(before.signals);

    stack.sim.control.trash(file.id);
    await stack.sim.webhooksIdle();
    const after = await eventually(() => fileActivitySignals(stack.temporal, connectorId), {
      what: 'the trash signal',
      timeoutMs: 60_000,
      intervalMs: 100,
      accept: (s) => s.activities.length > before.activities.length,
    });
    expect(after.activities.slice(before.activities.length)).toEqual([
      expect.objectContaining({ fileId: file.id, kind: 'delete', eventType: 'FILE.TRASHED' }),
    ]);
    expect(stack.sim.webhookDeliveries().every((d) => d.status === 200)).toBe(true);
  });

  // node:http with keep-alive: fetch costs the shared CPU more than the receiver does under a burst.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  afterAll(() => agent.destroy());
  /** Sends a delivery as Box would (or not quite), straight to the listening API. */
  const send = async (body: string, options: { key?: string; at?: number } = {}) => {
    const timestamp = new Date(options.at ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    const headers = {
      'content-type': 'application/json; charset=UTF-8',
      'box-delivery-id': randomUUID(),
      'box-delivery-timestamp': timestamp,
      'box-signature-version': '1',
      'box-signature-algorithm': 'HmacSHA256',
      'box-signature-primary': boxSignature(
        body,
        timestamp,
        options.key ?? stack.config.box.webhookPrimaryKey,
      ),
    };
    return new Promise<{ status: number; json: { status?: string; type?: string } }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/webhooks/box', method: 'POST', agent, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: string; type?: string },
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  const payload = (webhookId: string, file: FileTruth, trigger = 'FILE.UPLOADED') =>
    JSON.stringify({
      type: 'webhook_event',
      id: randomUUID(),
      created_at: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
      trigger,
      webhook: { id: webhookId, type: 'webhook' },
      created_by: { type: 'user', id: file.ownerId, login: file.ownerLogin },
      source: { type: 'file', id: file.id, owned_by: { type: 'user', id: file.ownerId } },
      additional_info: [],
    });

  it('forged, stale, malformed and unknown-webhook deliveries are refused; a replay is answered once', async () => {
    const [hook] = await hooks.list(connectorId);
    const file = fileBelowAFolder(4);
    const before = await fileActivitySignals(stack.temporal, connectorId);
    expect((await send(payload(hook!.webhook_id, file), { key: 'not-the-key' })).status).toBe(401);
    expect((await send(payload(hook!.webhook_id, file), { at: Date.now() - 11 * 60_000 })).status).toBe(401);
    expect((await send('{"type":"webhook_event", "id": ')).status).toBe(400);
    expect((await send(payload('999999999', file))).status).toBe(404);

    const body = payload(hook!.webhook_id, file);
    expect((await send(body)).json).toEqual({ status: 'signalled' });
    expect((await send(body)).json).toEqual({ status: 'duplicate' });
    expect((await send(body)).json).toEqual({ status: 'duplicate' });
    const after = await fileActivitySignals(stack.temporal, connectorId);
    expect(after.signals).toBe(before.signals + 1);
    expect(after.activities.slice(before.activities.length)).toEqual([
      expect.objectContaining({ fileId: file.id, kind: 'content' }),
    ]);
  });

  // A correctness burst (the load figures, deliveries/s and signals per 1,000, are bench/webhooks.ts's).
  it('a burst of 500 deliveries is absorbed: each signalled once, far fewer signals, every file rescanned', async () => {
    const rows = await hooks.list(connectorId);
    const hookOf = new Map(rows.map((r) => [r.user_id, r.webhook_id]));
    const files = [...stack.sim.manifest.files({ activeOnly: true })]
      .filter((f) => belowAFolder(f) && hookOf.has(f.ownerId))
      // Few files: every signal prioritizes each of them again, and the rescans share this process's CPU.
      .slice(0, 10);
    const triggers = ['FILE.UPLOADED', 'SHARED_LINK.UPDATED', 'FILE.RENAMED', 'COLLABORATION.UPDATED'];
    const total = 500;
    const scan = stack.temporal.workflow.getHandle(workflowIds.scan(connectorId));
    const scannedBefore = (await scan.query(progressQuery)).priorityScanned;
    const before = await fileActivitySignals(stack.temporal, connectorId);
    const loggedBefore = await log.count(connectorId, 'webhook');

    const statuses = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let i = next++; i < total; i = next++) {
          const file = files[i % files.length]!;
          const res = await send(payload(hookOf.get(file.ownerId)!, file, triggers[i % triggers.length]));
          const key = `${res.status}:${res.json.status ?? res.json.type}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ '200:signalled': total });
    expect(await log.count(connectorId, 'webhook')).toBe(loggedBefore + total);

    // Every delivery travelled in exactly one signal. The listing of the connector's runs trails a
    // continue-as-new (visibility is eventually consistent), so the count is awaited, then checked exactly.
    const after = await eventually(() => fileActivitySignals(stack.temporal, connectorId), {
      what: 'the burst in the histories of the connector',
      timeoutMs: 30_000,
      intervalMs: 200,
      accept: (s) => s.activities.length >= before.activities.length + total,
    });
    expect(after.activities.length - before.activities.length).toBe(total);
    // Per file, as many events as deliveries sent for it (runs are listed newest first: count, not slice).
    const perFile = (events: FileEvent[]) => {
      const n = new Map<string, number>();
      for (const e of events) n.set(e.fileId, (n.get(e.fileId) ?? 0) + 1);
      return n;
    };
    const [was, now] = [perFile(before.activities), perFile(after.activities)];
    expect(Object.fromEntries(files.map((f) => [f.id, (now.get(f.id) ?? 0) - (was.get(f.id) ?? 0)]))).toEqual(
      Object.fromEntries(files.map((f) => [f.id, total / files.length])),
    );
    // Coalescing: with 50 deliveries in flight at a time, a signal carries several of them.
    expect(after.signals - before.signals).toBeLessThan(total / 5);
    await eventually(async () => (await scan.query(progressQuery)).priorityScanned, {
      what: 'every file of the burst rescanned',
      timeoutMs: 90_000,
      intervalMs: 100,
      accept: (n) => n >= scannedBefore + files.length,
    });
  }, 120_000);

  it('removeWebhooks deletes them at Box and in the store (an already deleted one is fine)', async () => {
    const rows = await hooks.list(connectorId);
    const client = stack.deps.clients.get(connectorId, 'US1');
    await client.withAsUserHeader(rows[0]!.user_id).webhooks.deleteWebhookById(rows[0]!.webhook_id);
    const removed = await mock.run(activities.removeWebhooks, { connectorId, dataCenter: 'US1' as const });
    expect(removed).toEqual({ removed: rows.length - 1, alreadyGone: 1, keptForOthers: 0 });
    expect(await hooks.count(connectorId)).toBe(0);
    // Deliveries for a removed webhook are no longer accepted.
    expect((await send(payload(rows[1]!.webhook_id, fileBelowAFolder(5)))).status).toBe(404);
  });
});
