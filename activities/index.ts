import type { WorkerDeps } from '../workers/worker-deps';
import { createConnectActivities } from './connect-activities';

/** Every activity of the main task queue, built over the worker's shared dependencies. */
export function createActivities(deps: WorkerDeps) {
  return {
    ...createConnectActivities(deps),
  };
}
