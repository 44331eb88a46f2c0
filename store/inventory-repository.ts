import { sql, type CompiledQuery, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import { compiledOnce } from './compiled-once';
import { fileDomainsOf } from './migrations/014-console-data';
import type { Database } from './schema';
import type { FilesTable } from './scan-tables';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor';

/** A file of the inventory as the store returns it. */
export type FileRow = Selectable<FilesTable>;

/** Filters and paging of InventoryRepository.list (every filter given must hold). */
export interface FileQuery {
  /** The file's exposure (policies' evaluateExposure): private, internal, external, public. */
  accessLevel?: string;
  /** The file's shared link: open, company, collaborators, or `none` (no shared link). */
  sharedLink?: string;
  /** The owner's login (exact, case-insensitive). */
  owner?: string;
  /** Files with an open finding of this policy. */
  policy?: string;
  /** Files with an open finding of this severity. */
  severity?: string;
  /** Files with a collaborator from this (external) domain. */
  domain?: string;
  /** Part of the file's name (case-insensitive). */
  name?: string;
  /** Deleted files too (default: only files present in Box). */
  includeDeleted?: boolean;
  cursor?: string;
  limit?: number;
}

/**
 * How many index entries one page of the file list reads at most (of the one index that serves the query's
 * most selective filter, after the cursor). The other filters are checked on those rows only, so a page
 * costs the same on page 1 and on page 500 whatever the filters; when the window ends before the page is
 * full, the page is short (possibly empty) and its cursor continues after the window.
 */
export const FILE_LIST_WINDOW = 5000;

// 25 columns a row: 500 rows stay far below SQLite's 32,766 parameters.
const UPSERT_CHUNK = 500;
const CURSOR_TAG = 'files';

/** Every column of a file row, in the order an upsert binds them. */
const FILE_COLUMNS = [
  'connector_id',
  'file_id',
  'owner_id',
  'owner_login',
  'name',
  'path',
  'extension',
  'size',
  'sha1',
  'access_level',
  'shared_link_access',
  'collaborators_json',
  'direct_collaborators_json',
  'has_collaborations',
  'modified_at',
  'last_seen_pass',
  'walked_pass',
  'last_scanned_at',
  'scanned_sha1',
  'scanned_sharing_hash',
  'scanned_policy_version',
  'inspection_status',
  'inspection_reason',
  'deleted_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof FileRow>;

// Every column of FilesTable is in FILE_COLUMNS (a column added to the table and not here fails to compile).
const everyColumnListed: [Exclude<keyof FileRow, (typeof FILE_COLUMNS)[number]>] extends [never]
  ? true
  : never = true;
void everyColumnListed;

/** The columns an upsert replaces in a stored row: all but its key. */
const UPDATED_COLUMNS = FILE_COLUMNS.filter((c) => c !== 'connector_id' && c !== 'file_id');

/** The row with its columns in FILE_COLUMNS order (a missing one null), so each shape of upsert compiles once. */
function inColumnOrder(row: FileRow): FileRow {
  return Object.fromEntries(FILE_COLUMNS.map((c) => [c, row[c] ?? null])) as FileRow;
}

/** The file inventory: upserts keyed by (connector, file), reads for the scan and the API. */
export class InventoryRepository {
  /** `listWindow`: FILE_LIST_WINDOW unless a test wants short windows. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: { listWindow?: number } = {},
  ) {}

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
      const ordered = chunk.map(inColumnOrder);
      await this.db.executeQuery(
        compiledOnce(this.db, `files upsert ${ordered.length}`, ordered.flatMap(Object.values), () =>
          this.db
            .insertInto('files')
            .values(ordered)
            .onConflict((oc) =>
              oc
                .columns(['connector_id', 'file_id'])
                .doUpdateSet((eb) =>
                  Object.fromEntries(UPDATED_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)])),
                ),
            ),
        ),
      );
      await this.writeDomains(chunk);
    }
  }

  /** Makes the file_domains rows of these files equal their collaborators' external domains. */
  private async writeDomains(rows: readonly FileRow[]): Promise<void> {
    const byConnector = new Map<string, FileRow[]>();
    for (const r of rows) byConnector.set(r.connector_id, [...(byConnector.get(r.connector_id) ?? []), r]);
    for (const [connectorId, files] of byConnector) {
      await this.db
        .deleteFrom('file_domains')
        .where('connector_id', '=', connectorId)
        .where(
          'file_id',
          'in',
          files.map((f) => f.file_id),
        )
        .execute();
      const domains = files.flatMap((f) =>
        fileDomainsOf(f.collaborators_json).map((domain) => ({
          connector_id: connectorId,
          domain,
          file_id: f.file_id,
        })),
      );
      for (let i = 0; i < domains.length; i += UPSERT_CHUNK)
        await this.db
          .insertInto('file_domains')
          .values(domains.slice(i, i + UPSERT_CHUNK))
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

  /**
   * Files of the connector matching the filters, by file id, `{ items, nextCursor? }`. Keyset paging: one
   * index serves the most selective filter given (policy, severity, domain, owner, access level, shared
   * link, else the primary key), read for at most FILE_LIST_WINDOW entries after the cursor; the other
   * filters (the name among them: a substring no index serves) are checked on those rows. A page may hold
   * fewer than `limit` files, or none, while `nextCursor` says there is more to look through.
   */
  async list(connectorId: string, q: FileQuery = {}): Promise<{ items: FileRow[]; nextCursor?: string }> {
    const limit = pageLimit(q.limit);
    const { page, window } = this.listQueries(connectorId, q, limit);
    const rows = await page.execute();
    const items = rows.slice(0, limit).map((r) => ({ ...r, size: Number(r.size) }));
    const last = items[items.length - 1];
    if (rows.length > limit && last) return { items, nextCursor: encodeCursor(CURSOR_TAG, [last.file_id]) };
    const span = await window.executeTakeFirst();
    const windowSize = this.windowSize(limit);
    return Number(span?.n ?? 0) >= windowSize && span?.last
      ? { items, nextCursor: encodeCursor(CURSOR_TAG, [span.last]) }
      : { items };
  }

  /** The SQL of one page of `list` (the page, and the window's extent), for query-plan checks. */
  compileList(connectorId: string, q: FileQuery = {}): CompiledQuery[] {
    const { page, window } = this.listQueries(connectorId, q, pageLimit(q.limit));
    return [page.compile(), window.compile()];
  }

  private windowSize(limit: number): number {
    return Math.max(this.options.listWindow ?? FILE_LIST_WINDOW, limit + 1);
  }

  private listQueries(connectorId: string, q: FileQuery, limit: number) {
    const after = q.cursor === undefined ? '' : decodeCursor(q.cursor, CURSOR_TAG, 1)[0]!;
    const size = this.windowSize(limit);
    const db = this.db;
    const owner = q.owner?.toLowerCase();
    const domain = q.domain?.toLowerCase();
    const hasFinding = (
      eb: ExpressionBuilder<Database, 'files'>,
      column: 'policy_id' | 'severity',
      value: string,
    ) =>
      eb.exists(
        eb
          .selectFrom('findings')
          .select('findings.id')
          .where('findings.connector_id', '=', connectorId)
          .where('findings.status', '=', 'open')
          .where(`findings.${column}`, '=', value)
          .whereRef('findings.file_id', '=', 'files.file_id'),
      );
    // The window: file ids in order after the cursor, from the one index of the driving filter.
    const driver =
      q.policy !== undefined
        ? 'policy'
        : q.severity !== undefined
          ? 'severity'
          : domain !== undefined
            ? 'domain'
            : owner !== undefined
              ? 'owner'
              : q.accessLevel !== undefined
                ? 'accessLevel'
                : q.sharedLink !== undefined
                  ? 'sharedLink'
                  : 'all';
    const fromFindings = (column: 'policy_id' | 'severity', value: string) =>
      db
        .selectFrom('findings')
        .select('file_id')
        .distinct()
        .where('connector_id', '=', connectorId)
        .where('status', '=', 'open')
        .where(column, '=', value)
        .where('file_id', '>', after)
        .orderBy('file_id')
        .limit(size);
    const fromFiles = () =>
      db
        .selectFrom('files')
        .select('file_id')
        .where('connector_id', '=', connectorId)
        .where('file_id', '>', after)
        .orderBy('file_id')
        .limit(size);
    const window =
      driver === 'policy'
        ? fromFindings('policy_id', q.policy!)
        : driver === 'severity'
          ? fromFindings('severity', q.severity!)
          : driver === 'domain'
            ? db
                .selectFrom('file_domains')
                .select('file_id')
                .where('connector_id', '=', connectorId)
                .where('domain', '=', domain!)
                .where('file_id', '>', after)
                .orderBy('file_id')
                .limit(size)
            : driver === 'owner'
              ? fromFiles().where('owner_login', '=', owner!)
              : driver === 'accessLevel'
                ? fromFiles().where('access_level', '=', q.accessLevel!)
                : driver === 'sharedLink'
                  ? fromFiles().where(sharedLinkIs(q.sharedLink!))
                  : fromFiles();
    const page = db
      .selectFrom('files')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .where('file_id', 'in', window)
      .$if(!q.includeDeleted, (b) => b.where('deleted_at', 'is', null))
      .$if(q.accessLevel !== undefined, (b) => b.where('access_level', '=', q.accessLevel!))
      .$if(q.sharedLink !== undefined, (b) => b.where(sharedLinkIs(q.sharedLink!)))
      .$if(owner !== undefined, (b) => b.where('owner_login', '=', owner!))
      .$if(q.policy !== undefined, (b) => b.where((eb) => hasFinding(eb, 'policy_id', q.policy!)))
      .$if(q.severity !== undefined && driver !== 'severity', (b) =>
        b.where((eb) => hasFinding(eb, 'severity', q.severity!)),
      )
      .$if(domain !== undefined && driver !== 'domain', (b) =>
        b.where((eb) =>
          eb.exists(
            eb
              .selectFrom('file_domains')
              .select('file_domains.file_id')
              .where('file_domains.connector_id', '=', connectorId)
              .where('file_domains.domain', '=', domain!)
              .whereRef('file_domains.file_id', '=', 'files.file_id'),
          ),
        ),
      )
      .$if(q.name !== undefined, (b) =>
        b.where(sql<boolean>`lower(${sql.ref('files.name')}) like ${likePattern(q.name!)} escape '!'`),
      )
      .orderBy('file_id')
      .limit(limit + 1);
    const extent = db
      .selectFrom(window.as('w'))
      .select((eb) => [
        eb.fn.countAll<number | string | bigint>().as('n'),
        eb.fn.max('w.file_id').as('last'),
      ]);
    return { page, window: extent };
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

/** The shared-link condition of the file list: an access, or `none` for files without a shared link. */
function sharedLinkIs(value: string) {
  return (eb: ExpressionBuilder<Database, 'files'>) =>
    value === 'none' ? eb('shared_link_access', 'is', null) : eb('shared_link_access', '=', value);
}

/** A LIKE pattern matching names that contain `part` (lower case; `!` escapes LIKE's own characters). */
function likePattern(part: string): string {
  return `%${part.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
