/**
 * The product's own Prometheus series (prom-client), in one registry per process. Modules declare their
 * series here so that one name has one definition; a process exposes `metricsRegistry` where it serves
 * metrics.
 */
import { Counter, Registry } from 'prom-client';

/** This process's registry of connect-box series. */
export const metricsRegistry = new Registry();

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
