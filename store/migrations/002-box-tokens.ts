import type { Kysely } from 'kysely';

/** Box tokens: one sealed (encrypted) token pair per connector, with a version and a refresh lease. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('box_tokens')
    .addColumn('connector_id', 'text', (c) => c.primaryKey())
    .addColumn('sealed_token', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

/** Drops the box_tokens table. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('box_tokens').execute();
}
