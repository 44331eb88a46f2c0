import { sql, type Kysely } from 'kysely';

const BACKFILL_PAGE = 1000;

/**
 * The console's data pages (docs/operators.md): every filter of the file list served by an index, and
 * findings an analyst decides on.
 * - `file_domains`: one row per (file, external collaborator domain), written with the file's row (the
 *   inventory's `collaborators_json.externalDomains`), filled here from the rows already stored.
 * - Files by owner login; findings by (status, policy | severity, file) so the file list can walk the files
 *   with an open finding of a policy or a severity in file-id order.
 * - Findings get a decision (`dismissed` or `resolved`: who, when, why). The unique index becomes one
 *   *current* finding (open, dismissed or resolved) per file and policy, so a rescan that finds the policy
 *   again finds the dismissed one (it stays dismissed) or the resolved one (it reopens).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('file_domains')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('file_domains_pk', ['connector_id', 'domain', 'file_id'])
    .execute();
  await db.schema
    .createIndex('file_domains_file')
    .on('file_domains')
    .columns(['connector_id', 'file_id'])
    .execute();
  await db.schema
    .createIndex('files_owner_login')
    .on('files')
    .columns(['connector_id', 'owner_login', 'file_id'])
    .execute();
  await db.schema
    .createIndex('files_shared_link')
    .on('files')
    .columns(['connector_id', 'shared_link_access', 'file_id'])
    .execute();

  await db.schema.alterTable('findings').addColumn('decided_by', 'text').execute();
  await db.schema.alterTable('findings').addColumn('decided_at', 'text').execute();
  await db.schema.alterTable('findings').addColumn('decision_reason', 'text').execute();
  await db.schema.dropIndex('findings_open_unique').execute();
  await db.schema
    .createIndex('findings_current_unique')
    .on('findings')
    .columns(['connector_id', 'file_id', 'policy_id'])
    .unique()
    .where(sql.ref('status'), '<>', 'closed')
    .execute();
  await db.schema
    .createIndex('findings_policy_file')
    .on('findings')
    .columns(['connector_id', 'status', 'policy_id', 'file_id'])
    .execute();
  await db.schema
    .createIndex('findings_severity_file')
    .on('findings')
    .columns(['connector_id', 'status', 'severity', 'file_id'])
    .execute();

  let after: [string, string] = ['', ''];
  for (;;) {
    const { rows } = await sql<{ connector_id: string; file_id: string; collaborators_json: string }>`
      SELECT connector_id, file_id, collaborators_json FROM files
      WHERE (connector_id, file_id) > (${after[0]}, ${after[1]})
      ORDER BY connector_id, file_id LIMIT ${BACKFILL_PAGE}`.execute(db);
    const last = rows[rows.length - 1];
    if (!last) break;
    const domains = rows.flatMap((r) =>
      fileDomainsOf(r.collaborators_json).map((domain) => ({
        connector_id: r.connector_id,
        domain,
        file_id: r.file_id,
      })),
    );
    for (let i = 0; i < domains.length; i += 300)
      await db
        .insertInto('file_domains' as never)
        .values(domains.slice(i, i + 300))
        .execute();
    after = [last.connector_id, last.file_id];
  }
}

/** The external collaborator domains of a file's `collaborators_json` (lower case, each once). */
export function fileDomainsOf(collaboratorsJson: string): string[] {
  const parsed = JSON.parse(collaboratorsJson) as { externalDomains?: unknown };
  const list = Array.isArray(parsed.externalDomains) ? parsed.externalDomains : [];
  return [...new Set(list.filter((d): d is string => typeof d === 'string').map((d) => d.toLowerCase()))];
}

/** Back to migration 013: decided findings become closed ones (history), the domain rows are dropped. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`UPDATE findings SET status = 'closed', closed_at = COALESCE(closed_at, decided_at, updated_at)
    WHERE status IN ('dismissed', 'resolved')`.execute(db);
  for (const index of ['findings_severity_file', 'findings_policy_file', 'findings_current_unique'])
    await db.schema.dropIndex(index).execute();
  await db.schema
    .createIndex('findings_open_unique')
    .on('findings')
    .columns(['connector_id', 'file_id', 'policy_id'])
    .unique()
    .where(sql.ref('status'), '=', 'open')
    .execute();
  for (const column of ['decision_reason', 'decided_at', 'decided_by'])
    await db.schema.alterTable('findings').dropColumn(column).execute();
  await db.schema.dropIndex('files_shared_link').execute();
  await db.schema.dropIndex('files_owner_login').execute();
  await db.schema.dropTable('file_domains').execute();
}
