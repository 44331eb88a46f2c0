/**
 * Worker entry point: polls the main task queue (workflows and control activities). Workers are
 * stateless: start more processes for more throughput.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { temporalConnectionOptions } from '../common/temporal-connection';
import { createActivities } from '../activities';
import { createWorkerDeps } from './worker-deps';

async function runWorker(): Promise<void> {
  const config = loadConfig();
  const deps = await createWorkerDeps(config);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueues.main,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities(deps),
  });
  console.log(
    `worker: polling task queue '${config.temporal.taskQueues.main}' on ${config.temporal.address}`,
  );
  await worker.run();
  await connection.close();
  await deps.store.close();
}

runWorker().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
