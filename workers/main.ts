/**
 * Worker entry point: one process polls three task queues — main (workflows, connect and backfill
 * activities), scan (bulk scan activities, capped per worker and per queue) and priority (files with fresh
 * activity, on slots of their own so a bulk backlog never delays them). Workers are stateless: start more
 * processes for more throughput. WORKER_TASK_QUEUES picks the queues of a process: the walk (scan) in
 * processes of its own keeps its CPU-heavy main thread away from workflow tasks and priority rescans.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { temporalDataConverter } from '../config/payload-codec';
import { workflowSource } from './workflow-bundle';
import { createActivities, createScanQueueActivities } from '../activities';
import { configureSharedInspectionPool, loadPolicySet } from '../policies';
import { createWorkerDeps } from './worker-deps';
import { GovernanceStarter } from '../activities/governance-starter';
import { stopWithLauncher } from '../scripts/launcher-watchdog';
import { createLogger } from '../telemetry/logger';
import { installWorkerRuntime } from '../telemetry/worker-runtime';
import { startMetricsServer } from '../telemetry/metrics-server';
import { collectProcessMetrics, metricsRegistry } from '../telemetry/metrics';

/** The worker's log: its own lines, the SDK's (workflow and activity `log`) and the Rust core's. */
const log = createLogger('worker');

async function runWorker(): Promise<void> {
  const config = loadConfig();
  log.level = config.logLevel;
  // First thing, before any connection: the SDK Runtime is fixed once any connection exists. The SDK and
  // its core log through the worker's logger; its metrics go to an exporter the worker's /metrics includes.
  const runtime = await installWorkerRuntime(config, { logger: log });
  // A bad policy file stops the worker now, naming the YAML line and column, not at the first scan.
  if (config.policies.file) await loadPolicySet(config.policies.file);
  const { namespace, taskQueues } = config.temporal;
  // One data converter for the client and the three workers: payloads and failures encrypted (the codec
  // runs outside the workflow sandbox; the failure converter inside it too).
  const dataConverter = temporalDataConverter(config);
  // A client for the governance actions new findings ask for: the scan starts them, a sweeper starts what
  // a crash left recorded and unstarted.
  const clientConnection = await Connection.connect(temporalConnectionOptions(config));
  const temporal = new Client({ connection: clientConnection, namespace, dataConverter });
  const deps = { ...(await createWorkerDeps(config)), temporal };
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const starter = new GovernanceStarter(temporal, deps.store, taskQueues.main);
  const sweep = () =>
    starter
      .sweep()
      .then((n) => n > 0 && log.info({ started: n }, `started ${n} governance actions left unstarted`))
      .catch((err: unknown) => log.error({ err }, 'governance sweep failed'));
  // Governance actions are workflows: the processes that run workflows sweep for them.
  const sweeps = config.worker.taskQueues.includes('main');
  const sweeper = setInterval(() => void (sweeps && sweep()), 30_000);
  sweeper.unref();
  configureSharedInspectionPool({ nice: config.worker.inspectionThreadNice });
  const scan = createScanQueueActivities(deps);
  // WORKER_TASK_QUEUES: a process may poll only some queues, e.g. the walk in processes of its own.
  const polled = config.worker.taskQueues;
  const made = {
    main: () =>
      Worker.create({
        connection,
        namespace,
        dataConverter,
        taskQueue: taskQueues.main,
        ...workflowSource(config.worker.workflowBundle),
        activities: createActivities(deps),
      }),
    scan: () =>
      Worker.create({
        connection,
        namespace,
        dataConverter,
        taskQueue: taskQueues.scan,
        activities: scan.bulk,
        maxConcurrentActivityTaskExecutions: config.scan.maxConcurrentActivities,
        ...(config.scan.activitiesPerSecond > 0 && {
          maxTaskQueueActivitiesPerSecond: config.scan.activitiesPerSecond,
        }),
      }),
    priority: () =>
      Worker.create({
        connection,
        namespace,
        dataConverter,
        taskQueue: taskQueues.priority,
        activities: scan.priority,
        maxConcurrentActivityTaskExecutions: config.scan.priorityMaxConcurrentActivities,
      }),
  };
  const workers = await Promise.all(polled.map((queue) => made[queue]()));
  const queueNames = polled.map((queue) => taskQueues[queue]);
  collectProcessMetrics();
  const metrics = await startMetricsServer({
    host: config.workerMetrics.host,
    port: config.workerMetrics.port,
    registry: metricsRegistry,
    sdkMetricsUrl: runtime.sdkMetricsUrl,
  });
  log.info({ url: metrics.url, port: metrics.port }, `metrics on ${metrics.url} (port ${metrics.port})`);
  if (polled.includes('main'))
    log.info(
      { workflowBundle: config.worker.workflowBundle ?? null },
      config.worker.workflowBundle
        ? `workflows from the prebuilt bundle ${config.worker.workflowBundle}`
        : 'workflows bundled at start',
    );
  log.info(
    { taskQueues: queueNames, address: config.temporal.address, namespace },
    `polling ${queueNames.join(', ')} on ${config.temporal.address}`,
  );
  if (sweeps) void sweep();
  await Promise.all(workers.map((w) => w.run()));
  clearInterval(sweeper);
  await metrics.close();
  await connection.close();
  await clientConnection.close();
  await deps.store.close();
}

stopWithLauncher(log); // under npm start: stop when the launcher is gone, however it ended
runWorker().catch((err: unknown) => {
  log.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
