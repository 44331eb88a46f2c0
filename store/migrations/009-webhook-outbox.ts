import type { Kysely } from 'kysely';

/**
 * The webhook outbox: one row per recorded delivery whose fileActivity signal has not yet been accepted by
 * Temporal. The receiver writes it in the same transaction as the event-log row and deletes it once the
 * signal carrying it was accepted; a sweeper signals rows whose lease ran out (a crashed or failed
 * attempt). `lease_until` (ISO 8601) is the claim: an UPDATE ... WHERE lease_until < now takes a row for
 * one process at a time, on SQLite and PostgreSQL alike.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_outbox')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_json', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('webhook_outbox_pk', ['connector_id', 'event_id'])
    .execute();
  await db.schema.createIndex('webhook_outbox_lease').on('webhook_outbox').column('lease_until').execute();
}

/** Drops the outbox. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_outbox').execute();
}
