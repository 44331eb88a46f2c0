import type { Kysely } from 'kysely';

/**
 * Governance (docs/governance.md): one row per action on a file (`governance_actions`) and its append-only
 * audit trail (`governance_audit`). An action row is written in the same transaction as the finding that
 * asks for it, with `started_at` null until its workflow was started: the row is the outbox, and a
 * sweeper starts what a crash left unstarted (the workflow id is the action's, so a second start is a
 * no-op). Audit entries are keyed by (action, step): the workflow numbers its steps, so a retried activity
 * writes the same entry once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('governance_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('params_json', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text')
    .addColumn('finding_id', 'text')
    .addColumn('source_key', 'text')
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('approver', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('expected_json', 'text')
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .addColumn('outcome', 'text')
    .addColumn('started_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('governance_actions_source')
    .on('governance_actions')
    .columns(['connector_id', 'source_key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('governance_actions_list')
    .on('governance_actions')
    .columns(['connector_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('governance_actions_file')
    .on('governance_actions')
    .columns(['connector_id', 'file_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('governance_actions_unstarted')
    .on('governance_actions')
    .columns(['started_at', 'created_at'])
    .execute();

  await db.schema
    .createTable('governance_audit')
    .addColumn('action_id', 'text', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('detail_json', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('governance_audit_pk', ['action_id', 'step'])
    .execute();
  await db.schema
    .createIndex('governance_audit_file')
    .on('governance_audit')
    .columns(['connector_id', 'file_id', 'at'])
    .execute();
}

/** Drops both tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('governance_audit').execute();
  await db.schema.dropTable('governance_actions').execute();
}
