/**
 * The product's own Prometheus series (prom-client), in one registry per process. Modules declare their
 * series here so that one name has one definition; a process exposes `metricsRegistry` where it serves
 * metrics (the API at GET /api/metrics, the worker on its metrics server). Labels are bounded sets: an
 * endpoint with ids folded to `:id`, a status, an outcome, a policy id; a connector id only on gauges
 * (one series per connector). Never a token, a login, a file name or a Box id. docs/operators.md lists
 * every series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** This process's registry of connect-box series. */
export const metricsRegistry = new Registry();

let processMetrics = false;

/** Adds prom-client's default process series (CPU, memory, event loop, GC) to the registry, once. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** Box requests sent again after a 429, a 5xx or a network error, by endpoint and status. */
export const boxRetries = new Counter({
  name: 'connect_box_box_retries_total',
  help: 'Box API requests retried after a 429, a 5xx or a network error (status 0), by endpoint and status.',
  labelNames: ['endpoint', 'status'] as const,
  registers: [metricsRegistry],
});

/** Seconds waited before those retries (Box's retry-after when given, else backoff). */
export const boxRetryWaitSeconds = new Counter({
  name: 'connect_box_box_retry_wait_seconds_total',
  help: 'Seconds waited before retrying Box API requests, by endpoint and status.',
  labelNames: ['endpoint', 'status'] as const,
  registers: [metricsRegistry],
});

/** Seconds Box calls waited for their user's turn in the rate budget (box/user-rate-budget.ts), by lane. */
export const boxBudgetWaitSeconds = new Counter({
  name: 'connect_box_box_budget_wait_seconds_total',
  help: "Seconds Box API calls waited for their Box user's turn in the per-user rate budget (BOX_USER_CALLS_PER_MINUTE), by lane (urgent: rescans of edited files; bulk: the rest).",
  labelNames: ['lane'] as const,
  registers: [metricsRegistry],
});

/** Users the walk steps of this worker process walk at once now (adapted to their rate budgets). */
export const walkUsersAtOnce = new Gauge({
  name: 'connect_box_walk_users_at_once',
  help: 'Users the walk steps running in this worker process walk at once now: the configured share of SCAN_USER_CONCURRENCY, or more while their Box rate budgets hold the walk back.',
  registers: [metricsRegistry],
});

/** Every answer Box gave (each attempt of a request, retries included), by endpoint and status. */
export const boxRequests = new Counter({
  name: 'connect_box_box_requests_total',
  help: 'Box API answers, every attempt counted (retries and token requests included), by endpoint and status (0: network error or timeout).',
  labelNames: ['endpoint', 'status'] as const,
  registers: [metricsRegistry],
});

/** Token refresh requests settled, by why they were asked for and how they ended. */
export const tokenRefreshes = new Counter({
  name: 'connect_box_token_refreshes_total',
  help: 'Box token refreshes by trigger (expiring, rejected) and outcome (refreshed, adopted, rejected, wait_timeout, failed).',
  labelNames: ['trigger', 'outcome'] as const,
  registers: [metricsRegistry],
});

/** Box webhook deliveries answered, by outcome. */
export const webhookDeliveries = new Counter({
  name: 'connect_box_webhook_deliveries_total',
  help: 'Box webhook deliveries by outcome: signalled, recorded (views), duplicate, pending, unavailable (503), bad_signature, stale, bad_timestamp, invalid, unknown_webhook, too_large, rate_limited.',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

/** fileActivity signals sent by the webhook receiver, by result. */
export const fileEventSignals = new Counter({
  name: 'connect_box_file_event_signals_total',
  help: 'fileActivity signals the webhook receiver sent to connector workflows, by result (accepted, failed).',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

/** File events per accepted fileActivity signal: sum / count is the coalescing ratio. */
export const fileEventSignalEvents = new Histogram({
  name: 'connect_box_file_event_signal_events',
  help: 'File events carried by one accepted fileActivity signal (sum / count: events per signal, the coalescing ratio).',
  buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
  registers: [metricsRegistry],
});

/** Files waiting in a connector's priority lane (state and store), sampled when scraped. */
export const priorityQueueFiles = new Gauge({
  name: 'connect_box_priority_queue_files',
  help: "Files waiting in the scan's priority lane (workflow state and stored overflow), per connector, read from the scan's progress query when scraped.",
  labelNames: ['connector'] as const,
  registers: [metricsRegistry],
});

/** Files the full scan's walk listed, counted once per pass. */
export const filesWalked = new Counter({
  name: 'connect_box_files_walked_total',
  help: 'Files listed by the full scan walk (each file once per pass).',
  registers: [metricsRegistry],
});

/** Files judged, by lane and whether they were inspected or kept their last result. */
export const filesJudged = new Counter({
  name: 'connect_box_files_judged_total',
  help: 'Files judged by lane (scan, priority) and result (inspected; unchanged: sha1, sharing and policies as last time, no download).',
  labelNames: ['lane', 'result'] as const,
  registers: [metricsRegistry],
});

/** Time of one inspection (extraction, detectors, policies), by the inspection status it ended with. */
export const inspectionSeconds = new Histogram({
  name: 'connect_box_inspection_seconds',
  help: 'Seconds one file inspection took (text extraction, detectors, policies, waiting for an inspection thread included; not the download), by inspection status.',
  labelNames: ['status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

/** Findings opened, by policy and severity. */
export const findingsOpened = new Counter({
  name: 'connect_box_findings_opened_total',
  help: 'Findings opened by policy id and severity.',
  labelNames: ['policy', 'severity'] as const,
  registers: [metricsRegistry],
});

/** From a file event's time to its priority rescan's stored result, by source. */
export const fileEventToResultSeconds = new Histogram({
  name: 'connect_box_file_event_to_result_seconds',
  help: "Seconds from a file event (Box's event time, else the webhook delivery's) to its priority rescan's stored result, by source (webhook, event-stream).",
  labelNames: ['source'] as const,
  buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
  registers: [metricsRegistry],
});

/** How far behind each event reader is. */
export const eventLagSeconds = new Gauge({
  name: 'connect_box_event_lag_seconds',
  help: "Seconds an event reader is behind, per connector: stream 'event-stream': now minus the newest event read (0 once caught up); 'backfill': the window's end minus the newest event imported (0 once done).",
  labelNames: ['connector', 'stream'] as const,
  registers: [metricsRegistry],
});

/** Duration of finished full scan passes. */
export const scanPassSeconds = new Histogram({
  name: 'connect_box_scan_pass_seconds',
  help: 'Seconds from the start of a full scan pass to its end.',
  buckets: [1, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400],
  registers: [metricsRegistry],
});
