/**
 * The enterprise event stream end to end (dev server, box-sim, real box-node-sdk): an edit of a file in a
 * user's root folder (where Box allows no webhook) is rescanned from the stream, and with no webhook
 * delivering at all, each edit is rescanned from the stream.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIds } from '../../common/workflow-ids';
import { InventoryRepository } from '../../store/inventory-repository';
import { WebhooksRepository } from '../../store/webhooks-repository';
import { eventStreamProgressQuery } from '../../workflows/enterprise-events-messages';
import { progressQuery } from '../../workflows/scan-files-messages';
import { clickThroughConsent } from '../helpers/box-consent';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { createLocalEnv } from '../helpers/temporal-env';
import { eventually } from '../helpers/eventually';

describe('the enterprise event stream rescans what webhooks miss', () => {
  let env: TestWorkflowEnvironment;
  let stack: ConnectStack;
  let connectorId: string;
  beforeAll(async () => {
    env = await createLocalEnv();
    // A fifth of the files directly in their owners' root folders (folder 0).
    stack = await startConnectStack({
      env,
      sim: { rootFiles: 0.2 },
      settings: { EVENT_STREAM_POLL_INTERVAL: '1s' },
    });
    const created = await stack.call('POST', '/api/connectors', {
      instanceName: 'Stream',
      dataCenter: 'US1',
    });
    connectorId = created.json.id;
    const redirect = await clickThroughConsent(created.json.authorizeUrl, stack.sim.manifest.admin.login);
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    const scan = stack.temporal.workflow.getHandle(workflowIds.scan(connectorId));
    await eventually(
      () =>
        scan.query(progressQuery).then(
          (p) => Boolean(p.lastPassCompletedAt),
          () => false,
        ),
      {
        what: 'the first full pass',
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );
    const events = stack.temporal.workflow.getHandle(workflowIds.events(connectorId));
    await eventually(
      () =>
        events.query(eventStreamProgressQuery).then(
          (p) => p.streamPosition !== undefined,
          () => false,
        ),
      { what: 'the stream to know its position', timeoutMs: 30_000, intervalMs: 100 },
    );
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await env?.teardown();
  });

  it('the full pass finds the root-folder files; an edit of one is rescanned from the stream, logged once', async () => {
    const inventory = new InventoryRepository(stack.deps.store.db);
    const atRoot = [...stack.sim.manifest.files({ activeOnly: true })].filter((f) => f.parentId === '0');
    expect(atRoot.length).toBeGreaterThan(0);
    for (const f of atRoot) expect((await inventory.get(connectorId, f.id))?.sha1).toBe(f.sha1);
    // The connector watches every top-level folder of every user; none of those webhooks covers folder 0.
    expect((await new WebhooksRepository(stack.deps.store.db).list(connectorId)).length).toBeGreaterThan(0);
    const file = atRoot[0]!;
    const editedAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const edit = stack.sim.control.edit(file.id);
    expect(edit.webhookDeliveries).toBe(0);
    const want = stack.sim.manifest.file(file.id)!.sha1;
    await eventually(async () => (await inventory.get(connectorId, file.id))?.sha1, {
      what: `root-folder file ${file.id} rescanned with its new content`,
      timeoutMs: 30_000,
      intervalMs: 200,
      accept: (sha1) => sha1 === want,
    });
    // Let the stream read on past the edit (it repeats events now and then), then count.
    const events = stack.temporal.workflow.getHandle(workflowIds.events(connectorId));
    const reads = (await events.query(eventStreamProgressQuery)).reads;
    await eventually(() => events.query(eventStreamProgressQuery).then((p) => p.reads), {
      what: 'three more stream reads',
      timeoutMs: 30_000,
      intervalMs: 200,
      accept: (n) => n >= reads + 3,
    });
    // One row for the edit (the backfill's history of the file is older than the edit).
    const rows = await stack.deps.store.db
      .selectFrom('event_log')
      .select(['event_id', 'event_type', 'source'])
      .where('connector_id', '=', connectorId)
      .where('file_id', '=', file.id)
      .where('occurred_at', '>=', editedAt)
      .execute();
    expect(rows).toEqual([{ event_id: edit.events[0]!.id, event_type: 'EDIT', source: 'event-stream' }]);
  }, 90_000);

  it('with every webhook deleted, each edit is rescanned from the stream', async () => {
    // Delete every webhook at Box (the stack's PUBLIC_BASE_URL has no listener either: an outage).
    const client = stack.deps.clients.get(connectorId, 'US1');
    for (const row of await new WebhooksRepository(stack.deps.store.db).list(connectorId))
      await client.withAsUserHeader(row.user_id).webhooks.deleteWebhookById(row.webhook_id);
    const files = [...stack.sim.manifest.files({ activeOnly: true })];
    const edited = files.slice(0, 4);
    for (const f of edited) stack.sim.control.edit(f.id);
    const inventory = new InventoryRepository(stack.deps.store.db);
    for (const f of edited) {
      const want = stack.sim.manifest.file(f.id)!.sha1;
      await eventually(async () => (await inventory.get(connectorId, f.id))?.sha1, {
        what: `file ${f.id} rescanned with its new content`,
        timeoutMs: 30_000,
        intervalMs: 200,
        accept: (sha1) => sha1 === want,
      });
    }
  }, 90_000);

  it('a rejected token pauses the stream; after re-authorization it reads on from where it stopped', async () => {
    const events = stack.temporal.workflow.getHandle(workflowIds.events(connectorId));
    const progress = () => events.query(eventStreamProgressQuery);
    // The admin removes the app: every token is refused and a refresh answers invalid_grant.
    stack.sim.control.removeApp();
    const atPause = await eventually(progress, {
      what: 'the stream to pause',
      timeoutMs: 30_000,
      intervalMs: 200,
      accept: (p) => p.paused === true,
    });
    await eventually(() => stack.call('GET', `/api/connectors/${connectorId}`), {
      what: 'the connector to ask for a new authorization',
      timeoutMs: 30_000,
      intervalMs: 200,
      accept: (r) => r.json?.status === 'NeedsReauthorization',
    });
    // An edit while paused (no webhook reaches the stack): only the stream's kept position can bring it.
    // The last file in a folder: the tests before edited files from the start of the list.
    const file = [...stack.sim.manifest.files({ activeOnly: true })]
      .filter((f) => f.parentId !== '0')
      .at(-1)!;
    const editedAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const edit = stack.sim.control.edit(file.id);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await progress()).toMatchObject({ paused: true, streamPosition: atPause.streamPosition });

    const again = await stack.call('POST', `/api/connectors/${connectorId}/authorize`);
    expect(again.status).toBe(200);
    const redirect = await clickThroughConsent(again.json.authorizeUrl, stack.sim.manifest.admin.login);
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    await eventually(progress, {
      what: 'the stream to resume',
      timeoutMs: 30_000,
      intervalMs: 200,
      accept: (p) => p.paused === false && p.reads > atPause.reads,
    });
    const inventory = new InventoryRepository(stack.deps.store.db);
    const want = stack.sim.manifest.file(file.id)!.sha1;
    await eventually(async () => (await inventory.get(connectorId, file.id))?.sha1, {
      what: `file ${file.id}, edited during the pause, rescanned`,
      timeoutMs: 30_000,
      intervalMs: 200,
      accept: (sha1) => sha1 === want,
    });
    const rows = await stack.deps.store.db
      .selectFrom('event_log')
      .select(['event_id', 'source'])
      .where('connector_id', '=', connectorId)
      .where('file_id', '=', file.id)
      .where('occurred_at', '>=', editedAt)
      .execute();
    expect(rows).toEqual([{ event_id: edit.events[0]!.id, source: 'event-stream' }]);
  }, 120_000);
});
