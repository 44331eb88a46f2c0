import { sql, type Kysely } from 'kysely';
import { instanceNameKey } from '../instance-name-key';

/** The connectors table as this migration sees it. */
interface Tables {
  connectors: {
    id: string;
    instance_name: string;
    active: number;
    created_at: string;
    name_key: string | null;
  };
}

/**
 * Instance names are unique among active connectors after trimming, Unicode NFKC and case folding, not byte
 * for byte: a `name_key` column holds the folded name and carries the unique index instead of the name.
 * Active connectors that already collide keep working: every one after the first gets its id appended to
 * its key, so the index can be built and nothing is lost.
 */
export async function up(anyDb: Kysely<unknown>): Promise<void> {
  const db = anyDb as unknown as Kysely<Tables>;
  await db.schema.alterTable('connectors').addColumn('name_key', 'text').execute();
  const rows = await db
    .selectFrom('connectors')
    .select(['id', 'instance_name', 'active'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const taken = new Set<string>();
  for (const row of rows) {
    let key = instanceNameKey(row.instance_name);
    if (row.active === 1) {
      if (taken.has(key)) key = `${key}#${row.id}`;
      taken.add(key);
    }
    await db.updateTable('connectors').set({ name_key: key }).where('id', '=', row.id).execute();
  }
  await db.schema.dropIndex('connectors_active_instance_name').execute();
  await db.schema
    .createIndex('connectors_active_name_key')
    .on('connectors')
    .column('name_key')
    .unique()
    .where(sql.ref('active'), '=', 1)
    .execute();
}

/** Back to names unique byte for byte. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('connectors_active_name_key').execute();
  await db.schema.alterTable('connectors').dropColumn('name_key').execute();
  await db.schema
    .createIndex('connectors_active_instance_name')
    .on('connectors')
    .column('instance_name')
    .unique()
    .where(sql.ref('active'), '=', 1)
    .execute();
}
