/**
 * The event log (table `event_log`, `activity_log` before migration 008): one row per Box event of a connector, from the enterprise event log (backfill) or a
 * webhook delivery. Times are ISO 8601 UTC with milliseconds (`toISOString()`), so text order is time order.
 */
export interface EventLogTable {
  connector_id: string;
  /** Box's event id (admin_logs `event_id`, webhook payload `id`): unique per connector. */
  event_id: string;
  /** Box's event type or webhook trigger, e.g. `EDIT`, `FILE.UPLOADED`. */
  event_type: string;
  /** EventKind (domain/file-event.ts), null for types outside the kind table (LOGIN, ...). */
  kind: string | null;
  file_id: string | null;
  actor_id: string | null;
  actor_login: string | null;
  ip_address: string | null;
  occurred_at: string;
  /** One of EVENT_SOURCES: `webhook`, `event-log` (backfill) or `event-stream`. */
  source: string;
  /** The event exactly as Box sent it (JSON text). */
  raw_json: string;
  recorded_at: string;
}
