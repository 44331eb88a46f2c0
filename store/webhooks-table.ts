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
