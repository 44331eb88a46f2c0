import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from './schema';
import type { ScanFoldersTable, ScanPassesTable } from './scan-tables';

/** A pass as the store returns it. */
export type ScanPassRow = Selectable<ScanPassesTable>;
/** A folder of a user's walk. */
export type ScanFolderRow = Selectable<ScanFoldersTable>;

/** What one folder page adds to a user's counts. */
export interface PageCounts {
  filesSeen: number;
  inspected: number;
  skippedUnchanged: number;
  findings: number;
}

/** The latest pass as the store holds it (ScanWorkRepository.progress). */
export interface StoredProgress extends PageCounts {
  pass: number;
  usersTotal: number;
  usersDone: number;
  startedAt: string;
  /** Set once the pass is complete. */
  completedAt?: string;
  /** When the last complete pass (this one or the one before) was completed. */
  lastPassCompletedAt?: string;
  /** Priority rescans committed, all passes of the connector (addPriorityScanned). */
  priorityScanned: number;
}

/**
 * The scan's pending work and its passes: each pass's users, each user's folders still to list with the
 * marker of their next page. Everything is keyed by (connector, pass, ...) and written with
 * insert-or-ignore, so starting a pass twice or replaying a page adds nothing.
 */
export class ScanWorkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records pass `pass` (first call wins: a retry keeps the policy version and users first recorded) with
   * its users, each with root folder `0` pending. Returns the pass as stored.
   */
  async startPass(input: {
    connectorId: string;
    pass: number;
    policyVersion: string;
    internalDomains: readonly string[];
    users: ReadonlyArray<{ id: string; login: string }>;
    at: string;
  }): Promise<ScanPassRow> {
    const { connectorId, pass, at } = input;
    await this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('scan_passes')
        .values({
          connector_id: connectorId,
          pass,
          policy_version: input.policyVersion,
          internal_domains_json: JSON.stringify(input.internalDomains),
          users_total: input.users.length,
          started_at: at,
          completed_at: null,
          files_seen: 0,
          inspected: 0,
          skipped_unchanged: 0,
          findings: 0,
          deleted: 0,
          priority_scanned: 0,
        })
        .onConflict((oc) => oc.columns(['connector_id', 'pass']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
      for (let i = 0; i < input.users.length; i += 500) {
        const chunk = input.users.slice(i, i + 500);
        await trx
          .insertInto('scan_users')
          .values(
            chunk.map((u, j) => ({
              connector_id: connectorId,
              pass,
              user_id: u.id,
              login: u.login,
              position: i + j,
              done: 0,
              pages: 0,
              files_seen: 0,
              inspected: 0,
              skipped_unchanged: 0,
              findings: 0,
              updated_at: at,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .execute();
        await trx
          .insertInto('scan_folders')
          .values(
            chunk.map((u) => ({
              connector_id: connectorId,
              pass,
              user_id: u.id,
              folder_id: '0',
              collaborators_json: '[]',
              marker: null,
              done: 0,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    });
    return (await this.getPass(connectorId, pass))!;
  }

  /** The pass, or undefined. */
  getPass(connectorId: string, pass: number): Promise<ScanPassRow | undefined> {
    return this.db
      .selectFrom('scan_passes')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .where('pass', '=', pass)
      .executeTakeFirst();
  }

  /** The connector's latest pass (the one running, or the last completed), or undefined. */
  latestPass(connectorId: string): Promise<ScanPassRow | undefined> {
    return this.db
      .selectFrom('scan_passes')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .orderBy('pass', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** Up to `limit` users of the pass whose walk is not finished, in Box's order, `exclude` left out. */
  async nextUsers(
    connectorId: string,
    pass: number,
    limit: number,
    exclude: readonly string[],
  ): Promise<string[]> {
    const rows = await this.db
      .selectFrom('scan_users')
      .select('user_id')
      .where('connector_id', '=', connectorId)
      .where('pass', '=', pass)
      .where('done', '=', 0)
      .$if(exclude.length > 0, (b) => b.where('user_id', 'not in', exclude))
      .orderBy('position')
      .limit(limit)
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** The user's login in the pass, or undefined when the user is not part of it. */
  async userOf(
    connectorId: string,
    pass: number,
    userId: string,
  ): Promise<{ login: string; done: boolean } | undefined> {
    const row = await this.db
      .selectFrom('scan_users')
      .select(['login', 'done'])
      .where('connector_id', '=', connectorId)
      .where('pass', '=', pass)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && { login: row.login, done: row.done === 1 };
  }

  /** Up to `limit` folders of the user's walk still to list. */
  pendingFolders(connectorId: string, pass: number, userId: string, limit: number): Promise<ScanFolderRow[]> {
    return this.db
      .selectFrom('scan_folders')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .where('pass', '=', pass)
      .where('user_id', '=', userId)
      .where('done', '=', 0)
      .orderBy('folder_id')
      .limit(limit)
      .execute();
  }

  /**
   * Records one listed folder page (call it inside the transaction that stored the page's files and
   * findings): queues its subfolders, advances the folder's marker (or marks it done when `nextMarker` is
   * null) and adds the page's counts to the user's.
   */
  async recordPage(input: {
    connectorId: string;
    pass: number;
    userId: string;
    folderId: string;
    nextMarker: string | null;
    subfolders: ReadonlyArray<{ folderId: string; collaborators: readonly string[] }>;
    counts: PageCounts;
    at: string;
  }): Promise<void> {
    const { connectorId, pass, userId } = input;
    for (let i = 0; i < input.subfolders.length; i += 500)
      await this.db
        .insertInto('scan_folders')
        .values(
          input.subfolders.slice(i, i + 500).map((f) => ({
            connector_id: connectorId,
            pass,
            user_id: userId,
            folder_id: f.folderId,
            collaborators_json: JSON.stringify(f.collaborators),
            marker: null,
            done: 0,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    await this.db
      .updateTable('scan_folders')
      .set({ marker: input.nextMarker, done: input.nextMarker === null ? 1 : 0 })
      .where('connector_id', '=', connectorId)
      .where('pass', '=', pass)
      .where('user_id', '=', userId)
      .where('folder_id', '=', input.folderId)
      .execute();
    const c = input.counts;
    await this.db
      .updateTable('scan_users')
      .set((eb) => ({
        pages: eb('pages', '+', 1),
        files_seen: eb('files_seen', '+', c.filesSeen),
        inspected: eb('inspected', '+', c.inspected),
        skipped_unchanged: eb('skipped_unchanged', '+', c.skippedUnchanged),
        findings: eb('findings', '+', c.findings),
        updated_at: input.at,
      }))
      .where('connector_id', '=', connectorId)
      .where('pass', '=', pass)
      .where('user_id', '=', userId)
      .execute();
  }

  /** Marks the user's walk finished when no folder is pending; returns whether it is. */
  async finishUserIfDone(connectorId: string, pass: number, userId: string, at: string): Promise<boolean> {
    const pending = await this.pendingFolders(connectorId, pass, userId, 1);
    if (pending.length > 0) return false;
    await this.db
      .updateTable('scan_users')
      .set({ done: 1, updated_at: at })
      .where('connector_id', '=', connectorId)
      .where('pass', '=', pass)
      .where('user_id', '=', userId)
      .execute();
    return true;
  }

  /** The pass's counts summed over its users (exact whatever the workflow heard back). */
  async passCounts(connectorId: string, pass: number): Promise<PageCounts> {
    const row = await this.db
      .selectFrom('scan_users')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number | string>('files_seen'), sql<number>`0`).as('files_seen'),
        eb.fn.coalesce(eb.fn.sum<number | string>('inspected'), sql<number>`0`).as('inspected'),
        eb.fn.coalesce(eb.fn.sum<number | string>('skipped_unchanged'), sql<number>`0`).as('skipped'),
        eb.fn.coalesce(eb.fn.sum<number | string>('findings'), sql<number>`0`).as('findings'),
      ])
      .where('connector_id', '=', connectorId)
      .where('pass', '=', pass)
      .executeTakeFirstOrThrow();
    return {
      filesSeen: Number(row.files_seen),
      inspected: Number(row.inspected),
      skippedUnchanged: Number(row.skipped),
      findings: Number(row.findings),
    };
  }

  /**
   * The scan's progress as the store holds it: the latest pass with the counts its steps committed in
   * the same transaction as their work (a running pass sums its users; a completed one is its record).
   * Exact after a worker crash or a rejected token, when a step's result never reached the workflow.
   */
  async progress(connectorId: string): Promise<StoredProgress | undefined> {
    const row = await this.latestPass(connectorId);
    if (!row) return undefined;
    const [priorityScanned, lastCompleted] = await Promise.all([
      this.priorityScanned(connectorId),
      row.completed_at !== null ? row.completed_at : this.lastCompletedAt(connectorId),
    ]);
    const base = {
      pass: row.pass,
      usersTotal: row.users_total,
      startedAt: row.started_at,
      priorityScanned,
      ...(lastCompleted !== undefined && { lastPassCompletedAt: lastCompleted }),
    };
    if (row.completed_at !== null)
      return {
        ...base,
        completedAt: row.completed_at,
        usersDone: row.users_total,
        filesSeen: row.files_seen,
        inspected: row.inspected,
        skippedUnchanged: row.skipped_unchanged,
        findings: row.findings,
      };
    return { ...base, ...(await this.runningCounts(connectorId, row.pass)) };
  }

  /** When the connector's last complete pass was completed, or undefined before the first. */
  private async lastCompletedAt(connectorId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('scan_passes')
      .select('completed_at')
      .where('connector_id', '=', connectorId)
      .where('completed_at', 'is not', null)
      .orderBy('pass', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.completed_at ?? undefined;
  }

  /**
   * Counts `n` priority rescans against the pass (call it inside the transaction that stored the rescanned
   * files and their findings, so the count is exactly what was committed).
   */
  async addPriorityScanned(connectorId: string, pass: number, n: number): Promise<void> {
    if (n <= 0) return;
    await this.db
      .updateTable('scan_passes')
      .set((eb) => ({ priority_scanned: eb('priority_scanned', '+', n) }))
      .where('connector_id', '=', connectorId)
      .where('pass', '=', pass)
      .execute();
  }

  /** Priority rescans committed for the connector, over all its passes. */
  async priorityScanned(connectorId: string): Promise<number> {
    const row = await this.db
      .selectFrom('scan_passes')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('priority_scanned'), sql<number>`0`).as('n'))
      .where('connector_id', '=', connectorId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** A running pass's counts and finished users as committed so far. */
  async runningCounts(connectorId: string, pass: number): Promise<PageCounts & { usersDone: number }> {
    const done = await this.db
      .selectFrom('scan_users')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('connector_id', '=', connectorId)
      .where('pass', '=', pass)
      .where('done', '=', 1)
      .executeTakeFirstOrThrow();
    return { usersDone: Number(done.n), ...(await this.passCounts(connectorId, pass)) };
  }

  /**
   * Records the pass as complete with its counts and drops its walk (folders of this pass, users of
   * earlier passes): the work tables then hold one pass at most, whatever the number of passes.
   */
  async completePass(
    connectorId: string,
    pass: number,
    counts: PageCounts & { deleted: number },
    at: string,
  ) {
    await this.db
      .updateTable('scan_passes')
      .set({
        completed_at: at,
        files_seen: counts.filesSeen,
        inspected: counts.inspected,
        skipped_unchanged: counts.skippedUnchanged,
        findings: counts.findings,
        deleted: counts.deleted,
      })
      .where('connector_id', '=', connectorId)
      .where('pass', '=', pass)
      .execute();
    await this.db
      .deleteFrom('scan_folders')
      .where('connector_id', '=', connectorId)
      .where('pass', '<=', pass)
      .execute();
    await this.db
      .deleteFrom('scan_users')
      .where('connector_id', '=', connectorId)
      .where('pass', '<', pass)
      .execute();
  }

  /** How many folder rows the connector's walks hold (for tests of the bound). */
  async folderRows(connectorId: string): Promise<number> {
    const row = await this.db
      .selectFrom('scan_folders')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('connector_id', '=', connectorId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
