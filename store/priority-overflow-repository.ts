import type { Kysely } from 'kysely';
import type { FileEvent } from '../domain/file-event';
import type { Database } from './schema';

/** How long a taken file stays reserved for the scan that took it before another take may hand it out. */
export const OVERFLOW_LEASE_MS = 10 * 60_000;

/**
 * Priority files that overflowed the workflow's bounded queue. One row per (connector, file): storing a
 * file again replaces its activity and keeps its place. Taking leases rows (`taken_at`) instead of
 * deleting them; the priority scan acknowledges (deletes) them once their result is stored, so a take
 * whose result was lost hands the files out again after OVERFLOW_LEASE_MS: never dropped.
 */
export class PriorityOverflowRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores the files (one row per file, the last activity of a file wins). Returns how many of them were
   * not stored yet (the rows it added: the workflow adds them to its count of what waits in the store).
   */
  async store(
    connectorId: string,
    files: readonly FileEvent[],
    at = new Date().toISOString(),
  ): Promise<number> {
    const byFile = new Map<string, FileEvent>();
    for (const f of files) byFile.set(f.fileId, f);
    const rows = [...byFile.values()].map((f) => ({
      connector_id: connectorId,
      file_id: f.fileId,
      activity_json: JSON.stringify(f),
      queued_at: at,
      taken_at: null,
    }));
    let added = 0;
    for (let i = 0; i < rows.length; i += 500) {
      const slice = rows.slice(i, i + 500);
      const present = await this.db
        .selectFrom('priority_overflow')
        .select('file_id')
        .where('connector_id', '=', connectorId)
        .where(
          'file_id',
          'in',
          slice.map((r) => r.file_id),
        )
        .execute();
      added += slice.length - present.length;
      await this.db
        .insertInto('priority_overflow')
        .values(slice)
        .onConflict((oc) =>
          oc.columns(['connector_id', 'file_id']).doUpdateSet((eb) => ({
            activity_json: eb.ref('excluded.activity_json'),
            taken_at: null,
          })),
        )
        .execute();
    }
    return added;
  }

  /**
   * Leases up to `limit` files, oldest first (rows not taken, or whose lease ran out); with `only`, of
   * those files only (the lane takes back the fresh edits it had to store).
   */
  async take(
    connectorId: string,
    limit: number,
    at = new Date(),
    only?: readonly string[],
  ): Promise<FileEvent[]> {
    const expired = new Date(at.getTime() - OVERFLOW_LEASE_MS).toISOString();
    if (only?.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      let query = trx
        .selectFrom('priority_overflow')
        .select(['file_id', 'activity_json'])
        .where('connector_id', '=', connectorId);
      if (only) query = query.where('file_id', 'in', [...only]);
      const rows = await query
        .where((eb) => eb.or([eb('taken_at', 'is', null), eb('taken_at', '<', expired)]))
        .orderBy('queued_at')
        .orderBy('file_id')
        .limit(limit)
        .execute();
      if (rows.length === 0) return [];
      await trx
        .updateTable('priority_overflow')
        .set({ taken_at: at.toISOString() })
        .where('connector_id', '=', connectorId)
        .where(
          'file_id',
          'in',
          rows.map((r) => r.file_id),
        )
        .execute();
      return rows.map((r) => JSON.parse(r.activity_json) as FileEvent);
    });
  }

  /** Deletes the taken rows of these files (their scan is stored); rows stored again since stay. */
  async acknowledge(connectorId: string, fileIds: readonly string[]): Promise<void> {
    for (let i = 0; i < fileIds.length; i += 500) {
      const ids = fileIds.slice(i, i + 500);
      if (ids.length > 0)
        await this.db
          .deleteFrom('priority_overflow')
          .where('connector_id', '=', connectorId)
          .where('file_id', 'in', ids)
          .where('taken_at', 'is not', null)
          .execute();
    }
  }

  /** How many files wait in the overflow (taken or not). */
  async count(connectorId: string): Promise<number> {
    const row = await this.db
      .selectFrom('priority_overflow')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('connector_id', '=', connectorId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
