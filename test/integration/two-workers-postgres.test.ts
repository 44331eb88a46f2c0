/**
 * Two worker processes (workers/main.ts, every queue each) and the API on one dev server and one
 * PostgreSQL store (issue 15, horizontal scale): a connector's full pass with every template spreads its
 * walk steps over both workers, and ends with the inventory and the open findings equal to box-sim's
 * ground truth, each file once. Each worker has one bulk slot and box-sim answers after a few
 * milliseconds, so the two walk steps in flight at once run on the two workers.
 */
import type { ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIds } from '../../common/workflow-ids';
import { clickThroughConsent } from '../helpers/box-consent';
import { startConnectStack, type ConnectStack } from '../helpers/connect-stack';
import { eventually } from '../helpers/eventually';
import { createTestDatabase } from '../helpers/stores';
import { createLocalEnv } from '../helpers/temporal-env';
import { expectedPolicies } from '../helpers/truth-findings';
import { spawnWorkerProcess } from '../helpers/worker-process';

describe('two worker processes on PostgreSQL', () => {
  let env: TestWorkflowEnvironment;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let stack: ConnectStack;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    env = await createLocalEnv();
    database = await createTestDatabase();
    stack = await startConnectStack({
      env,
      noWorker: true,
      settings: { DATABASE_URL: database.url, SCAN_USER_CONCURRENCY: '4' },
      sim: { seed: 11, users: 24, files: 600, rateLimitPerMinute: 0, webhookRetryDelaysMs: [] },
    });
    // One bulk slot each: the two walk steps in flight at once cannot both run on one worker.
    for (let i = 0; i < 2; i++)
      workers.push(
        (await spawnWorkerProcess(stack, env.address, { SCAN_MAX_CONCURRENT_ACTIVITIES: '1' })).child,
      );
  }, 180_000);
  afterAll(async () => {
    await Promise.all(
      workers.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await stack?.close();
    await env?.teardown();
    await database?.drop();
  });

  it('the walk runs on both workers; the inventory and findings equal box-sim, each file once', async () => {
    const created = await stack.call('POST', '/api/connectors', {
      instanceName: 'Two workers',
      dataCenter: 'US1',
    });
    const connectorId = (created.json as { id: string }).id;
    const redirect = await clickThroughConsent(
      (created.json as { authorizeUrl: string }).authorizeUrl,
      stack.sim.manifest.admin.login,
    );
    stack.sim.control.setLatency(5);
    await stack.api.inject({ method: 'GET', url: `${redirect.pathname}${redirect.search}` });
    const db = stack.deps.store.db;
    await eventually(
      () =>
        db
          .selectFrom('scan_passes')
          .select('completed_at')
          .where('connector_id', '=', connectorId)
          .where('pass', '=', 1)
          .executeTakeFirst(),
      { what: 'pass 1 to complete', timeoutMs: 150_000, intervalMs: 500, accept: (r) => !!r?.completed_at },
    );
    stack.sim.control.setLatency(0);

    const active = [...stack.sim.manifest.files({ activeOnly: true })];
    const files = await db
      .selectFrom('files')
      .select(['file_id', 'sha1', 'owner_id', 'walked_pass'])
      .where('connector_id', '=', connectorId)
      .where('deleted_at', 'is', null)
      .execute();
    expect(files).toHaveLength(active.length);
    expect(Object.fromEntries(files.map((f) => [f.file_id, [f.sha1, f.owner_id, f.walked_pass]]))).toEqual(
      Object.fromEntries(active.map((t) => [t.id, [t.sha1, t.ownerId, 1]])),
    );
    const open = await db
      .selectFrom('findings')
      .select(['file_id', 'policy_id'])
      .where('connector_id', '=', connectorId)
      .where('status', '=', 'open')
      .execute();
    const found = new Map<string, string[]>();
    for (const f of open) found.set(f.file_id, [...(found.get(f.file_id) ?? []), f.policy_id].sort());
    const truth = new Map(
      active.map((t) => [t.id, expectedPolicies(t)] as const).filter(([, p]) => p.length > 0),
    );
    expect(truth.size).toBeGreaterThan(30);
    expect(Object.fromEntries(found)).toEqual(Object.fromEntries(truth));
    const pass = await db
      .selectFrom('scan_passes')
      .select(['files_seen', 'users_total'])
      .where('connector_id', '=', connectorId)
      .where('pass', '=', 1)
      .executeTakeFirstOrThrow();
    expect(pass.files_seen).toBe(active.length);

    // Which worker started each walk step (the identity is pid@host: one per process).
    const history = await stack.temporal.workflow.getHandle(workflowIds.scan(connectorId)).fetchHistory();
    const events = history.events ?? [];
    const scheduled = new Map<string, string>();
    for (const e of events)
      if (e.activityTaskScheduledEventAttributes)
        scheduled.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    const walkers = new Set(
      events
        .filter(
          (e) =>
            e.activityTaskStartedEventAttributes &&
            scheduled.get(String(e.activityTaskStartedEventAttributes.scheduledEventId)) === 'walkUsers',
        )
        .map((e) => e.activityTaskStartedEventAttributes!.identity),
    );
    expect(walkers.size).toBe(2);
  }, 240_000);
});
