import type { Kysely } from 'kysely';

/**
 * Console sign-in sessions, one row per signed-in browser. The cookie carries a random 256-bit id; only
 * its SHA-256 (`id_hash`) is stored, so a copy of the store opens no session. Deleting the row ends the
 * session at once (sign-out); a disabled user's rows stop counting at the next request (the lookup joins
 * `users`). `expires_at` is the absolute end, `last_seen_at` drives the idle expiry (ISO 8601 texts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();
}

/** Drops the sessions. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sessions').execute();
}
