import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema';
import type { FilesTable } from './scan-tables';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor';

/** A file of the inventory as the store returns it. */
export type FileRow = Selectable<FilesTable>;

/** Filters and paging of InventoryRepository.list. */
export interface FileQuery {
  accessLevel?: string;
  /** Files with an open finding of this policy. */
  policy?: string;
  /** Deleted files too (default: only files present in Box). */
  includeDeleted?: boolean;
  cursor?: string;
  limit?: number;
}

// 24 columns a row: 500 rows stay far below SQLite's 32,766 parameters.
const UPSERT_CHUNK = 500;
const CURSOR_TAG = 'files';

/** The file inventory: upserts keyed by (connector, file), reads for the scan and the API. */
export class InventoryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The stored rows of the given files, by file id. */
  async getMany(connectorId: string, fileIds: readonly string[]): Promise<Map<string, FileRow>> {
    const out = new Map<string, FileRow>();
    for (let i = 0; i < fileIds.length; i += UPSERT_CHUNK) {
      const ids = fileIds.slice(i, i + UPSERT_CHUNK);
      if (ids.length === 0) continue;
      const rows = await this.db
        .selectFrom('files')
        .selectAll()
        .where('connector_id', '=', connectorId)
        .where('file_id', 'in', ids)
        .execute();
      for (const row of rows) out.set(row.file_id, { ...row, size: Number(row.size) });
    }
    return out;
  }

  /** One file, or undefined. */
  async get(connectorId: string, fileId: string): Promise<FileRow | undefined> {
    return (await this.getMany(connectorId, [fileId])).get(fileId);
  }

  /** Writes the rows whole (insert, or replace the stored row of the same connector and file). */
  async upsertMany(rows: readonly FileRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
      const chunk = rows.slice(i, i + UPSERT_CHUNK);
      if (chunk.length === 0) continue;
      await this.db
        .insertInto('files')
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(['connector_id', 'file_id']).doUpdateSet((eb) => ({
            owner_id: eb.ref('excluded.owner_id'),
            owner_login: eb.ref('excluded.owner_login'),
            name: eb.ref('excluded.name'),
            path: eb.ref('excluded.path'),
            extension: eb.ref('excluded.extension'),
            size: eb.ref('excluded.size'),
            sha1: eb.ref('excluded.sha1'),
            access_level: eb.ref('excluded.access_level'),
            shared_link_access: eb.ref('excluded.shared_link_access'),
            collaborators_json: eb.ref('excluded.collaborators_json'),
            direct_collaborators_json: eb.ref('excluded.direct_collaborators_json'),
            has_collaborations: eb.ref('excluded.has_collaborations'),
            modified_at: eb.ref('excluded.modified_at'),
            last_seen_pass: eb.ref('excluded.last_seen_pass'),
            walked_pass: eb.ref('excluded.walked_pass'),
            last_scanned_at: eb.ref('excluded.last_scanned_at'),
            scanned_sha1: eb.ref('excluded.scanned_sha1'),
            scanned_sharing_hash: eb.ref('excluded.scanned_sharing_hash'),
            scanned_policy_version: eb.ref('excluded.scanned_policy_version'),
            inspection_status: eb.ref('excluded.inspection_status'),
            inspection_reason: eb.ref('excluded.inspection_reason'),
            deleted_at: eb.ref('excluded.deleted_at'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }

  /** Marks files deleted (status `Deleted`); files already deleted keep their time. Returns how many changed. */
  async markDeleted(connectorId: string, fileIds: readonly string[], at: string): Promise<number> {
    let changed = 0;
    for (let i = 0; i < fileIds.length; i += UPSERT_CHUNK) {
      const ids = fileIds.slice(i, i + UPSERT_CHUNK);
      if (ids.length === 0) continue;
      const result = await this.db
        .updateTable('files')
        .set({
          deleted_at: at,
          inspection_status: 'Deleted',
          inspection_reason: 'the file is no longer in Box (trashed or deleted)',
          updated_at: at,
        })
        .where('connector_id', '=', connectorId)
        .where('file_id', 'in', ids)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      changed += Number(result.numUpdatedRows);
    }
    return changed;
  }

  /**
   * Files present in Box (not deleted) that the walk of `pass` did not see, leaving out files of users
   * whose walk in that pass did not finish (a user skipped after an error keeps their files).
   */
  async unseenIn(connectorId: string, pass: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('files')
      .select('file_id')
      .where('connector_id', '=', connectorId)
      .where('last_seen_pass', '<', pass)
      .where('deleted_at', 'is', null)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('scan_users')
              .select('scan_users.user_id')
              .where('scan_users.connector_id', '=', connectorId)
              .where('scan_users.pass', '=', pass)
              .where('scan_users.done', '=', 0)
              .whereRef('scan_users.user_id', '=', 'files.owner_id'),
          ),
        ),
      )
      .execute();
    return rows.map((r) => r.file_id);
  }

  /** Files of the connector matching the filters, by file id, `{ items, nextCursor? }`. */
  async list(connectorId: string, q: FileQuery = {}): Promise<{ items: FileRow[]; nextCursor?: string }> {
    const limit = pageLimit(q.limit);
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, CURSOR_TAG, 1)[0];
    const rows = await this.db
      .selectFrom('files')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .$if(!q.includeDeleted, (b) => b.where('deleted_at', 'is', null))
      .$if(q.accessLevel !== undefined, (b) => b.where('access_level', '=', q.accessLevel!))
      .$if(q.policy !== undefined, (b) =>
        b.where((eb) =>
          eb.exists(
            eb
              .selectFrom('findings')
              .select('findings.id')
              .whereRef('findings.connector_id', '=', 'files.connector_id')
              .whereRef('findings.file_id', '=', 'files.file_id')
              .where('findings.policy_id', '=', q.policy!)
              .where('findings.status', '=', 'open'),
          ),
        ),
      )
      .$if(after !== undefined, (b) => b.where('file_id', '>', after!))
      .orderBy('file_id')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map((r) => ({ ...r, size: Number(r.size) }));
    const last = items[items.length - 1];
    return rows.length > limit && last
      ? { items, nextCursor: encodeCursor(CURSOR_TAG, [last.file_id]) }
      : { items };
  }

  /** How many files of the connector are present in Box. */
  async count(connectorId: string): Promise<number> {
    const row = await this.db
      .selectFrom('files')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('connector_id', '=', connectorId)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
