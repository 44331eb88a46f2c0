/**
 * Heartbeat timeout of every long step (scan, backfill, webhooks). The activities heartbeat at least every
 * 5 s (activities/keepalive.ts), so an attempt whose worker died is timed out at most this long after its
 * last recorded heartbeat and retried (first retry after 1 s) on another worker: within 30 s of the crash.
 * Changing it issues no new command (replay compares activity types and IDs, not their options).
 */
export const STEP_HEARTBEAT_TIMEOUT = '20s';
