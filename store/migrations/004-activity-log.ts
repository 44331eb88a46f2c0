import type { Kysely } from 'kysely';

/**
 * The activity log: one row per Box event, unique on (connector_id, event_id) so a retried page adds
 * nothing twice. Every index ends with (occurred_at, event_id): the keyset the API pages by.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('activity_log')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text')
    .addColumn('file_id', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('actor_login', 'text')
    .addColumn('ip_address', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('raw_json', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('activity_log_pk', ['connector_id', 'event_id'])
    .execute();
  const indexes: Array<[string, string[]]> = [
    ['activity_log_time', ['connector_id', 'occurred_at', 'event_id']],
    ['activity_log_file', ['connector_id', 'file_id', 'occurred_at', 'event_id']],
    ['activity_log_type', ['connector_id', 'event_type', 'occurred_at', 'event_id']],
    ['activity_log_kind', ['connector_id', 'kind', 'occurred_at', 'event_id']],
    ['activity_log_actor_id', ['connector_id', 'actor_id', 'occurred_at', 'event_id']],
    ['activity_log_actor_login', ['connector_id', 'actor_login', 'occurred_at', 'event_id']],
  ];
  for (const [name, columns] of indexes)
    await db.schema.createIndex(name).on('activity_log').columns(columns).execute();
}

/** Drops the activity log. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('activity_log').execute();
}
