import type { Kysely } from 'kysely';

/**
 * Box webhooks the connector registered: one per (connector, user, top-level folder), as Box allows one
 * webhook per item per app per user. The receiver looks a delivery's webhook up by its id alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhooks_pk', ['connector_id', 'webhook_id'])
    .addUniqueConstraint('webhooks_target', ['connector_id', 'user_id', 'target_type', 'target_id'])
    .execute();
  await db.schema.createIndex('webhooks_by_id').on('webhooks').column('webhook_id').execute();
}

/** Drops the webhooks table. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhooks').execute();
}
