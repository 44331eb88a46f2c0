/** A Box webhook the connector registered (as `user_id`, on a top-level folder of that user). */
export interface WebhooksTable {
  connector_id: string;
  /** Box's webhook id (unique across Box). */
  webhook_id: string;
  /** `folder` (Box allows no webhook on folder 0, so each top-level folder gets one). */
  target_type: string;
  target_id: string;
  /** The Box user the webhook was created as (As-User): only that user can see or delete it. */
  user_id: string;
  created_at: string;
}

/**
 * A recorded webhook delivery whose fileActivity signal was not yet accepted (migration 009): pending until
 * the row is deleted. `lease_until` says until when `lease_owner` may signal it alone.
 */
export interface WebhookOutboxTable {
  connector_id: string;
  /** The payload id (the event log's `event_id`). */
  event_id: string;
  /** The FileEvent the signal carries, as JSON. */
  event_json: string;
  recorded_at: string;
  lease_owner: string;
  lease_until: string;
  /** Signal attempts that were claimed (the first one included). */
  attempts: number;
}
