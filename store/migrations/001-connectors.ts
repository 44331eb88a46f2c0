import { sql, type Kysely } from 'kysely';

/** Connectors: one row per Box enterprise connection. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connectors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_name', 'text', (c) => c.notNull())
    .addColumn('data_center', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_message', 'text', (c) => c.notNull())
    .addColumn('enterprise_id', 'text')
    .addColumn('authorized_login', 'text')
    .addColumn('authorized_role', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // Instance names are unique among active connectors only: a disconnected one can be recreated.
  await db.schema
    .createIndex('connectors_active_instance_name')
    .on('connectors')
    .column('instance_name')
    .unique()
    .where(sql.ref('active'), '=', 1)
    .execute();
}

/** Drops the connectors table. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('connectors').execute();
}
