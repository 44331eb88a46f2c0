import type { ActivityDeps } from './activity-deps';
import { EventLogRepository } from '../store/event-log-repository';
import { createEventLogActivities } from './event-log-activities';
import { createEventStreamActivities } from './event-stream-activities';
import { createConnectActivities } from './connect-activities';
import { createScanActivities, type ScanDeps } from './scan-activities';
import { createWebhookActivities } from './webhook-activities';
import { createGovernanceActivities } from './governance-activities';
import { GovernanceStarter } from './governance-starter';

/** Activities of the main task queue: connect, backfill and event stream (control work, never queued behind bulk). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createConnectActivities(deps),
    ...createWebhookActivities({
      config: deps.config,
      store: deps.store,
      clients: deps.clients,
      userConcurrency: deps.config.scan.userConcurrency,
    }),
    ...createEventLogActivities({
      clients: deps.clients,
      activityLog: new EventLogRepository(deps.store.db),
    }),
    ...createEventStreamActivities({
      clients: deps.clients,
      eventLog: new EventLogRepository(deps.store.db),
    }),
    ...createGovernanceActivities({
      config: deps.config,
      store: deps.store,
      clients: deps.clients,
      mailer: deps.mailer,
    }),
  };
}

/** Activities of the scan task queue (bulk) and the priority task queue (one factory, split by queue). */
export function createScanQueueActivities(
  deps: ActivityDeps,
  tuning: Pick<ScanDeps, 'budget' | 'limits'> = {},
) {
  // createScanActivities returns closures (no `this`), so taking them apart is safe.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { scanPriorityFiles, storePriorityOverflow, takePriorityOverflow, ...bulk } = createScanActivities({
    config: deps.config,
    store: deps.store,
    clients: deps.clients,
    ...(deps.temporal && {
      governance: new GovernanceStarter(deps.temporal, deps.store, deps.config.temporal.taskQueues.main),
    }),
    ...tuning,
  });
  return { bulk, priority: { scanPriorityFiles, storePriorityOverflow, takePriorityOverflow } };
}
