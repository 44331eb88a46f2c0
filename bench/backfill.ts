/**
 * Backfill throughput: `npm run bench -- backfill [--events 500000] [--store sqlite|postgres]
 *   [--pages-per-call 200] [--latency-ms 0]`.
 * box-sim with at least `events` admin events in the 7-day window before "now" (its history spans ten
 * days, so it generates 10/7 as many), the Temporal dev server, a real worker running importEventLog
 * with the real activities into the store (a fresh SQLite file, or a throwaway PostgreSQL database);
 * `--latency-ms` adds box-sim latency to every request, as a remote Box would. Prints events
 * imported per second (wall time from start to result) and workflow history events per 10,000 imported,
 * summed over every run of the continue-as-new chain. box-sim's rate limit is off: this measures
 * connect-box, not Box's quota (about 1,000 calls per minute per user, i.e. roughly 7,000 events/s at 450
 * events per page).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createEventLogActivities } from '../activities/event-log-activities';
import { BoxClientPool } from '../box/box-client-pool';
import { exchangeAuthorizationCode } from '../box/box-connection';
import { TokenCipher } from '../box/token-cipher';
import { TokenVault } from '../box/token-vault';
import { startBoxSim } from '../box-sim';
import { workflowIds } from '../common/workflow-ids';
import { EventLogRepository } from '../store/event-log-repository';
import { BoxTokensRepository } from '../store/box-tokens-repository';
import { openStore } from '../store/database';
import { authorizationCode, simConfig } from '../test/integration/box/box-test-kit';
import { createLocalEnv } from '../test/helpers/temporal-env';
import { createTestStore } from '../test/helpers/stores';
import { workflowBundle } from '../test/helpers/workflow-bundle';
import { importEventLog, stackProbe } from '../workflows';
import { printFigures, printTable } from './report';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

const DAY = 86_400_000;
const WINDOW_DAYS = 7;
const HISTORY_DAYS = 10; // box-sim's generated history
const TASK_QUEUE = 'bench-backfill';

/** Runs the benchmark. */
export async function main(options: Record<string, string>): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // worker state chatter would bury the table
  const target = Number(options.events ?? 500_000);
  const pagesPerCall = Number(options['pages-per-call'] ?? 200);
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-backfill-'));
  const storeKind = options.store ?? 'sqlite';
  if (storeKind !== 'sqlite' && storeKind !== 'postgres') throw new Error('--store is sqlite or postgres');
  const latencyMs = Number(options['latency-ms'] ?? 0);
  const now = Date.now();
  const sim = await startBoxSim({
    users: 200,
    files: 20_000,
    events: Math.ceil((target * HISTORY_DAYS) / WINDOW_DAYS) + 1000,
    rateLimitPerMinute: 0,
    latencyMs,
    now: () => now,
  });
  const env = await createLocalEnv();
  // A SQLite file (the product's default store) or a throwaway PostgreSQL database.
  const store =
    storeKind === 'sqlite'
      ? await sqliteFileStore(join(dir, 'store.sqlite'))
      : await createTestStore('postgres');
  try {
    const vault = new TokenVault(new BoxTokensRepository(store.db), new TokenCipher(randomBytes(32)));
    const connectorId = `bench-${randomBytes(3).toString('hex')}`;
    await exchangeAuthorizationCode({
      config: simConfig(sim),
      dataCenter: 'US1',
      connectorId,
      vault,
      code: await authorizationCode(sim),
    });
    const activityLog = new EventLogRepository(store.db);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: createEventLogActivities({
        clients: new BoxClientPool({ config: simConfig(sim), vault }),
        activityLog,
        budget: { maxPages: pagesPerCall },
      }),
    });
    const after = now - WINDOW_DAYS * DAY;
    const windowEvents = sim.manifest.countEventsBetween(after, now);

    const figures = await worker.runUntil(async () => {
      const parent = await env.client.workflow.start(stackProbe, {
        taskQueue: TASK_QUEUE,
        workflowId: workflowIds.connector(connectorId),
      });
      const started = performance.now();
      const cpuStart = process.cpuUsage();
      const handle = await env.client.workflow.start(importEventLog, {
        taskQueue: TASK_QUEUE,
        workflowId: workflowIds.backfill(connectorId),
        args: [
          {
            connectorId,
            dataCenter: 'US1',
            createdAfter: new Date(after).toISOString(),
            createdBefore: new Date(now).toISOString(),
            parentWorkflowId: parent.workflowId,
          },
        ],
      });
      const result = await handle.result();
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      await parent.terminate();

      // Follow the continue-as-new chain from the first run, counting every run's history events.
      let runId: string | undefined = handle.firstExecutionRunId;
      let runs = 0;
      let historyEvents = 0;
      let activityCalls = 0;
      while (runId) {
        const history: History = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
        const events = history.events ?? [];
        runs++;
        historyEvents += events.length;
        activityCalls += events.filter((e) => e.activityTaskScheduledEventAttributes).length;
        const last = events[events.length - 1];
        runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      }
      return {
        result,
        seconds,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        runs,
        historyEvents,
        activityCalls,
      };
    });

    const stored = await activityLog.count(connectorId);
    const { result, seconds } = figures;
    const eventsPerSecond = result.imported / seconds;
    const historyPer10k = (figures.historyEvents / result.imported) * 10_000;
    printTable([
      { figure: 'events in the 7-day window (box-sim truth)', value: windowEvents },
      { figure: 'events imported (workflow result)', value: result.imported },
      { figure: 'rows in the event log', value: stored },
      { figure: 'seconds, start to result', value: seconds },
      { figure: 'events imported per second', value: eventsPerSecond },
      { figure: 'box-sim API requests', value: sim.stats().total },
      { figure: 'activity calls', value: figures.activityCalls },
      { figure: 'workflow runs (continue-as-new chain)', value: figures.runs },
      { figure: 'history events, all runs', value: figures.historyEvents },
      { figure: 'history events per 10,000 imported', value: historyPer10k },
      { figure: 'CPU share of this process (sim + worker + store)', value: figures.cpuSeconds / seconds },
    ]);
    if (result.imported !== windowEvents || stored !== windowEvents)
      throw new Error(`imported ${result.imported} (stored ${stored}) but the window holds ${windowEvents}`);
    printFigures({
      windowEvents,
      imported: result.imported,
      seconds: round(seconds),
      eventsPerSecond: round(eventsPerSecond),
      historyEvents: figures.historyEvents,
      historyEventsPer10kImported: round(historyPer10k),
      runs: figures.runs,
      activityCalls: figures.activityCalls,
      pagesPerCall,
      store: storeKind,
      boxLatencyMs: latencyMs,
      cpuShare: round(figures.cpuSeconds / seconds),
      cores: cpus().length,
      node: process.version,
    });
  } finally {
    await store.dispose();
    await env.teardown();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sqliteFileStore(file: string) {
  const store = await openStore(`sqlite:${file}`);
  return { ...store, dispose: () => store.close() };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
