import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities, createScanQueueActivities } from '../../activities';
import type { Config } from '../../config/config';
import { workflowBundle } from '../../test/helpers/workflow-bundle';
import { createWorkerDeps, type WorkerDeps } from '../../workers/worker-deps';

/** The workers of the three task queues in this process, as workers/main.ts runs them (bulk 8, priority 4). */
export async function startBenchWorkers(
  env: TestWorkflowEnvironment,
  config: Config,
): Promise<{ deps: WorkerDeps; stop: () => Promise<void> }> {
  const deps = await createWorkerDeps(config);
  const queues = config.temporal.taskQueues;
  const scan = createScanQueueActivities(deps);
  const workers = [
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queues.main,
      workflowBundle: await workflowBundle(),
      activities: createActivities(deps),
    }),
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queues.scan,
      activities: scan.bulk,
      maxConcurrentActivityTaskExecutions: 8,
    }),
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queues.priority,
      activities: scan.priority,
      maxConcurrentActivityTaskExecutions: 4,
    }),
  ];
  const running = workers.map((w) => w.run());
  return {
    deps,
    /** Shuts the workers down and waits for them. */
    stop: async () => {
      for (const w of workers) w.shutdown();
      await Promise.allSettled(running);
    },
  };
}
