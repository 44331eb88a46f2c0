/**
 * The backfill end to end: box-sim, the Temporal dev server, a real worker running importEventLog
 * with the real activities, a SQLite store. Each case imports the same window for its own connector and
 * compares the event log with box-sim's ground truth.
 */
import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createEventLogActivities, EVENT_PAGE_LIMIT } from '../../activities/event-log-activities';
import { BoxClientPool } from '../../box/box-client-pool';
import { exchangeAuthorizationCode } from '../../box/box-connection';
import { TokenCipher } from '../../box/token-cipher';
import { TokenVault } from '../../box/token-vault';
import { startBoxSim, type BoxSim } from '../../box-sim';
import { workflowIds } from '../../common/workflow-ids';
import { EventLogRepository } from '../../store/event-log-repository';
import { BoxTokensRepository } from '../../store/box-tokens-repository';
import { importEventLog, stackProbe } from '../../workflows';
import { createLocalEnv } from '../helpers/temporal-env';
import { createTestStore } from '../helpers/stores';
import { workflowBundle } from '../helpers/workflow-bundle';
import { authorizationCode, simConfig } from './box/box-test-kit';

const TASK_QUEUE = 'backfill-it';

/**
 * The event log of a worker that is shut down mid-import: once `holdAfter` rows are stored, the next page
 * waits until its activity is cancelled (or `open()` is called), then is written as usual.
 */
class HeldEventLog extends EventLogRepository {
  /** Resolves when a page is held. */
  readonly reached: Promise<void>;
  /** Whether the held page was let through by the activity's cancellation. */
  cancelled = false;
  private written = 0;
  private arrive!: () => void;
  private release!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  constructor(
    db: ConstructorParameters<typeof EventLogRepository>[0],
    private readonly holdAfter: number,
  ) {
    super(db);
    this.reached = new Promise((resolve) => (this.arrive = resolve));
  }

  /** Lets a held page through without a cancellation (clean-up after a failed case). */
  open(): void {
    this.release();
  }

  override async insertPage(...args: Parameters<EventLogRepository['insertPage']>): Promise<number> {
    if (this.written >= this.holdAfter) {
      const signal = Context.current().cancellationSignal;
      this.arrive();
      await Promise.race([
        this.opened,
        new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
      ]);
      this.cancelled = signal.aborted;
    }
    const n = await super.insertPage(...args);
    this.written += args[1].length;
    return n;
  }
}
const SECOND = 1000;
const WINDOW_MS = 7 * 86_400_000;
const BULK_EVENTS = 3000;

describe('importEventLog against box-sim through a real worker', () => {
  let env: TestWorkflowEnvironment;
  let sim: BoxSim;
  let store: Awaited<ReturnType<typeof createTestStore>>;
  let vault: TokenVault;
  let activityLog: EventLogRepository;
  let clients: BoxClientPool;
  let clock = Date.parse('2026-06-01T12:00:00.000Z');
  // box-sim's clock: set by hand while the events are made, then running (its rate limiter refills with it).
  let now = () => clock;
  // The window [after, before): both edges and the events around them are made with box-sim's clock.
  const after = clock + 3600 * SECOND;
  const before = after + WINDOW_MS;
  const edge = { outsideLow: '', atLow: '', insideLow: '', insideHigh: '', atHigh: '', outsideHigh: '' };

  beforeAll(async () => {
    [env, store] = await Promise.all([createLocalEnv(), createTestStore('sqlite')]);
    sim = await startBoxSim({
      seed: 11,
      users: 8,
      files: 300,
      events: 2000,
      now: () => now(),
      rateLimitPerMinute: 0,
    });
    const files = [...sim.manifest.files()].map((f) => f.id);
    const at = (ms: number, op: (fileId: string) => { events: ReadonlyArray<{ id: string }> }, i = 0) => {
      clock = ms;
      return op(files[i % files.length]!).events[0]!.id;
    };
    const preview = (id: string) => sim.control.preview(id);
    edge.outsideLow = at(after - SECOND, preview);
    edge.atLow = at(after, preview);
    edge.insideLow = at(after + SECOND, preview);
    const step = Math.floor((before - after - 10 * SECOND) / BULK_EVENTS);
    for (let i = 0; i < BULK_EVENTS; i++) {
      const ops = [
        preview,
        (id: string) => sim.control.download(id),
        (id: string) => sim.control.edit(id),
        (id: string) => sim.control.share(id, { access: i % 8 < 4 ? 'open' : 'none' }),
        (id: string) => sim.control.rename(id, { name: `renamed-${i}.txt` }),
      ];
      at(
        after + 5 * SECOND + i * step,
        (id) => {
          const result = ops[i % ops.length]!(id);
          // Re-sharing with the same access logs nothing: preview instead, so every step adds one event.
          return result.events.length > 0 ? result : preview(id);
        },
        i * 7,
      );
    }
    edge.insideHigh = at(before - SECOND, preview);
    edge.atHigh = at(before, preview);
    edge.outsideHigh = at(before + SECOND, preview);
    // The connection happened a minute ago; from here box-sim's clock runs.
    const connectedAt = before + 60 * SECOND;
    const realStart = Date.now();
    now = () => connectedAt + (Date.now() - realStart);

    vault = new TokenVault(new BoxTokensRepository(store.db), new TokenCipher(randomBytes(32)));
    activityLog = new EventLogRepository(store.db);
    clients = new BoxClientPool({
      config: simConfig(sim),
      vault,
      retry: { baseDelayMs: 10, maxDelayMs: 200 },
    });
  });
  afterAll(async () => {
    await sim?.close();
    await store?.dispose();
    await env?.teardown();
  });

  /** A connector authorized by the admin through box-sim's consent form. */
  async function connector(name: string): Promise<string> {
    const connectorId = `${name}-${randomBytes(3).toString('hex')}`;
    await exchangeAuthorizationCode({
      config: simConfig(sim),
      dataCenter: 'US1',
      connectorId,
      vault,
      code: await authorizationCode(sim),
    });
    return connectorId;
  }

  async function worker(budget = { maxPages: 2 }, log: EventLogRepository = activityLog) {
    return Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: createEventLogActivities({ clients, activityLog: log, budget }),
      // Heartbeats reach the server at once, so a retry resumes near where the last attempt stopped.
      maxHeartbeatThrottleInterval: '100ms',
    });
  }

  /** Starts a stand-in parent and the backfill child-to-be, as connectBox would. */
  async function startBackfill(connectorId: string) {
    const parent = await env.client.workflow.start(stackProbe, {
      taskQueue: TASK_QUEUE,
      workflowId: workflowIds.connector(connectorId),
    });
    const handle = await env.client.workflow.start(importEventLog, {
      taskQueue: TASK_QUEUE,
      workflowId: workflowIds.backfill(connectorId),
      args: [
        {
          connectorId,
          dataCenter: 'US1',
          createdAfter: new Date(after).toISOString(),
          createdBefore: new Date(before).toISOString(),
          parentWorkflowId: parent.workflowId,
        },
      ],
    });
    return { parent, handle };
  }

  async function importedIds(connectorId: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await activityLog.query(connectorId, { limit: 1000, order: 'asc', cursor });
      ids.push(...page.items.map((r) => r.event_id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }

  async function expectGroundTruth(connectorId: string, result: { imported: number }) {
    const truth = sim.manifest.eventsBetween(after, before).map((e) => e.eventId);
    const ids = await importedIds(connectorId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...truth].sort());
    expect(result.imported).toBe(truth.length);
    expect(await activityLog.count(connectorId)).toBe(truth.length);
  }

  /** The parent received backfillFinished with the count. */
  async function expectParentSignalled(parent: { fetchHistory(): Promise<unknown> }, imported: number) {
    const history = (await parent.fetchHistory()) as {
      events?: Array<{ workflowExecutionSignaledEventAttributes?: { signalName?: string | null } | null }>;
    };
    const signals = (history.events ?? [])
      .map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)
      .filter(Boolean);
    expect(signals).toEqual(['backfillFinished']);
    expect(imported).toBeGreaterThan(BULK_EVENTS);
  }

  it('imports exactly the window: edge events a second inside are in, a second outside are out', async () => {
    const connectorId = await connector('exact');
    const w = await worker();
    const { parent, handle } = await startBackfill(connectorId);
    const result = await w.runUntil(handle.result());
    await expectGroundTruth(connectorId, result);
    const ids = new Set(await importedIds(connectorId));
    expect([edge.atLow, edge.insideLow, edge.insideHigh].filter((id) => ids.has(id))).toHaveLength(3);
    expect([edge.outsideLow, edge.atHigh, edge.outsideHigh].filter((id) => ids.has(id))).toHaveLength(0);
    await expectParentSignalled(parent, result.imported);
    await parent.terminate();

    // The rows carry what the API serves, and the raw event.
    const { items } = await activityLog.query(connectorId, { types: ['EDIT'], limit: 1 });
    expect(items[0]).toMatchObject({ event_type: 'EDIT', kind: 'content', source: 'event-log' });
    expect(items[0]!.file_id).toMatch(/^\d+$/);
    expect(items[0]!.actor_login).toContain('@');
    expect(JSON.parse(items[0]!.raw_json)).toMatchObject({ type: 'event', event_type: 'EDIT' });
  });

  it('loses and duplicates nothing when the worker shuts down mid-backfill and another one finishes', async () => {
    const connectorId = await connector('restart');
    // The first worker's store holds the page after `holdAfter` rows until the shutdown cancels the
    // activity: the import stops part way on any machine, then writes that one page and ends.
    const held = new HeldEventLog(store.db, 1000);
    const total = sim.manifest.countEventsBetween(after, before);
    expect(total).toBeGreaterThan(1000 + EVENT_PAGE_LIMIT);
    try {
      const first = await worker({ maxPages: 1000 }, held);
      const { parent, handle } = await startBackfill(connectorId);
      const running = first.run();
      await held.reached;
      const stoppedAt = await activityLog.count(connectorId);
      first.shutdown();
      await running;
      expect(stoppedAt).toBeGreaterThanOrEqual(1000);
      expect(held.cancelled).toBe(true);
      // Written: the rows before the hold and the held page; nothing after the cancellation.
      expect(await activityLog.count(connectorId)).toBeLessThanOrEqual(stoppedAt + EVENT_PAGE_LIMIT);
      expect(await activityLog.count(connectorId)).toBeLessThan(total);

      const second = await worker({ maxPages: 1000 });
      const result = await second.runUntil(handle.result());
      await expectGroundTruth(connectorId, result);
      await expectParentSignalled(parent, result.imported);
      await parent.terminate();
      // The activity really was retried (the second worker took over the interrupted attempt).
      const history = await handle.fetchHistory();
      const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
      expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    } finally {
      held.open();
    }
  });

  it('rides out 429s (retry-after honoured) and 5xx answers without losing or repeating an event', async () => {
    const connectorId = await connector('faults');
    sim.resetStats();
    sim.control.setFaults({ errorRate: 0.3, errorStatus: 503 });
    sim.control.setRateLimit(120, 3);
    try {
      const w = await worker();
      const { parent, handle } = await startBackfill(connectorId);
      const result = await w.runUntil(handle.result());
      await expectGroundTruth(connectorId, result);
      await parent.terminate();
      const stats = sim.stats();
      expect(stats.rateLimited).toBeGreaterThan(0);
      expect(stats.faultsInjected).toBeGreaterThan(0);
    } finally {
      sim.control.setFaults({});
      sim.control.setRateLimit(0);
    }
  });
});
