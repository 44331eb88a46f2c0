import type { Kysely } from 'kysely';

/** The keyset indexes of the event log (each ends with the (occurred_at, event_id) the API pages by). */
const INDEXES: Array<[string, string[]]> = [
  ['time', ['connector_id', 'occurred_at', 'event_id']],
  ['file', ['connector_id', 'file_id', 'occurred_at', 'event_id']],
  ['type', ['connector_id', 'event_type', 'occurred_at', 'event_id']],
  ['kind', ['connector_id', 'kind', 'occurred_at', 'event_id']],
  ['actor_id', ['connector_id', 'actor_id', 'occurred_at', 'event_id']],
  ['actor_login', ['connector_id', 'actor_login', 'occurred_at', 'event_id']],
];

/**
 * One word for Box user activity: the `activity_log` table becomes `event_log` ("activity" means Temporal
 * activities in this codebase). Rows are untouched; the indexes are rebuilt under the new name (SQLite
 * cannot rename an index). The primary key keeps its name `activity_log_pk`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('activity_log').renameTo('event_log').execute();
  for (const [name, columns] of INDEXES) {
    await db.schema.dropIndex(`activity_log_${name}`).execute();
    await db.schema.createIndex(`event_log_${name}`).on('event_log').columns(columns).execute();
  }
}

/** Back to `activity_log`. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name, columns] of INDEXES) {
    await db.schema.dropIndex(`event_log_${name}`).execute();
    await db.schema.createIndex(`activity_log_${name}`).on('event_log').columns(columns).execute();
  }
  await db.schema.alterTable('event_log').renameTo('activity_log').execute();
}
