import { sql, type Kysely } from 'kysely';

/**
 * The scan: passes, the walk's pending work (users, folders with their marker), the file inventory, the
 * findings and the priority overflow. Keys are (connector, pass, ...) and (connector, file): every write of
 * the scan is an upsert on them, so a replayed folder page or a retried activity changes nothing twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scan_passes')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('pass', 'integer', (c) => c.notNull())
    .addColumn('policy_version', 'text', (c) => c.notNull())
    .addColumn('internal_domains_json', 'text', (c) => c.notNull())
    .addColumn('users_total', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('files_seen', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inspected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped_unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('findings', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('scan_passes_pk', ['connector_id', 'pass'])
    .execute();

  await db.schema
    .createTable('scan_users')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('pass', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('files_seen', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inspected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped_unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('findings', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scan_users_pk', ['connector_id', 'pass', 'user_id'])
    .execute();
  await db.schema
    .createIndex('scan_users_pending')
    .on('scan_users')
    .columns(['connector_id', 'pass', 'done', 'position'])
    .execute();

  await db.schema
    .createTable('scan_folders')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('pass', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('folder_id', 'text', (c) => c.notNull())
    .addColumn('collaborators_json', 'text', (c) => c.notNull())
    .addColumn('marker', 'text')
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('scan_folders_pk', ['connector_id', 'pass', 'user_id', 'folder_id'])
    .execute();
  await db.schema
    .createIndex('scan_folders_pending')
    .on('scan_folders')
    .columns(['connector_id', 'pass', 'user_id', 'done'])
    .execute();

  await db.schema
    .createTable('files')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('owner_login', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('extension', 'text', (c) => c.notNull())
    .addColumn('size', 'double precision', (c) => c.notNull())
    .addColumn('sha1', 'text', (c) => c.notNull())
    .addColumn('access_level', 'text', (c) => c.notNull())
    .addColumn('shared_link_access', 'text')
    .addColumn('collaborators_json', 'text', (c) => c.notNull())
    .addColumn('direct_collaborators_json', 'text', (c) => c.notNull())
    .addColumn('has_collaborations', 'integer', (c) => c.notNull())
    .addColumn('modified_at', 'text')
    .addColumn('last_seen_pass', 'integer', (c) => c.notNull())
    .addColumn('walked_pass', 'integer', (c) => c.notNull())
    .addColumn('last_scanned_at', 'text')
    .addColumn('scanned_sha1', 'text')
    .addColumn('scanned_sharing_hash', 'text')
    .addColumn('scanned_policy_version', 'text')
    .addColumn('inspection_status', 'text', (c) => c.notNull())
    .addColumn('inspection_reason', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('files_pk', ['connector_id', 'file_id'])
    .execute();
  const fileIndexes: Array<[string, string[]]> = [
    ['files_access_level', ['connector_id', 'access_level', 'file_id']],
    ['files_owner_pass', ['connector_id', 'owner_id', 'last_seen_pass']],
  ];
  for (const [name, columns] of fileIndexes)
    await db.schema.createIndex(name).on('files').columns(columns).execute();

  await db.schema
    .createTable('findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('access_level', 'text', (c) => c.notNull())
    .addColumn('detector_counts_json', 'text', (c) => c.notNull())
    .addColumn('samples_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // At most one open finding per file and policy; closed ones stay as history.
  await db.schema
    .createIndex('findings_open_unique')
    .on('findings')
    .columns(['connector_id', 'file_id', 'policy_id'])
    .unique()
    .where(sql.ref('status'), '=', 'open')
    .execute();
  const findingIndexes: Array<[string, string[]]> = [
    ['findings_file', ['connector_id', 'file_id', 'status']],
    ['findings_list', ['connector_id', 'status', 'opened_at', 'id']],
    ['findings_policy', ['connector_id', 'policy_id', 'opened_at', 'id']],
  ];
  for (const [name, columns] of findingIndexes)
    await db.schema.createIndex(name).on('findings').columns(columns).execute();

  await db.schema
    .createTable('priority_overflow')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('activity_json', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .addColumn('taken_at', 'text')
    .addPrimaryKeyConstraint('priority_overflow_pk', ['connector_id', 'file_id'])
    .execute();
  await db.schema
    .createIndex('priority_overflow_queue')
    .on('priority_overflow')
    .columns(['connector_id', 'queued_at', 'file_id'])
    .execute();
}

/** Drops the scan tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['priority_overflow', 'findings', 'files', 'scan_folders', 'scan_users', 'scan_passes'])
    await db.schema.dropTable(table).execute();
}
