import type { WorkerDeps } from '../workers/worker-deps';
import { ActivityLogRepository } from '../store/activity-log-repository';
import { createBackfillActivities } from './backfill-activities';
import { createConnectActivities } from './connect-activities';

/** Every activity of the main task queue, built over the worker's shared dependencies. */
export function createActivities(deps: WorkerDeps) {
  return {
    ...createConnectActivities(deps),
    ...createBackfillActivities({
      clients: deps.clients,
      activityLog: new ActivityLogRepository(deps.store.db),
    }),
  };
}
