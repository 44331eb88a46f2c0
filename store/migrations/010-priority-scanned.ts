import type { Kysely } from 'kysely';

/**
 * Each pass counts the priority rescans committed while it was the latest pass (`priority_scanned`): the
 * priority lane adds its batch in the same transaction as the files' rows and findings, so the figure the
 * API shows is what the store holds even when a step's result never reached the workflow.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('scan_passes')
    .addColumn('priority_scanned', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

/** Drops the count. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('scan_passes').dropColumn('priority_scanned').execute();
}
