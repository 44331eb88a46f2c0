import type { Kysely, Selectable } from 'kysely';
import type { BoxTokensTable, Database } from './schema';

/** A box_tokens row as the store returns it (the token itself is sealed). */
export type BoxTokensRecord = Selectable<BoxTokensTable>;

/**
 * Reads and writes sealed Box tokens, and the refresh lease that serializes refreshes across processes.
 * Every write is one conditional UPDATE (or an upsert), so it behaves the same on SQLite and PostgreSQL;
 * times are ISO 8601 strings, which compare correctly as text.
 */
export class BoxTokensRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a new sealed pair (insert or replace), bumps the version and drops any lease. */
  async save(connectorId: string, sealedToken: string, expiresAt: Date, now = new Date()): Promise<void> {
    const values = {
      sealed_token: sealedToken,
      expires_at: expiresAt.toISOString(),
      lease_owner: null,
      lease_until: null,
      updated_at: now.toISOString(),
    };
    await this.db
      .insertInto('box_tokens')
      .values({ connector_id: connectorId, version: 1, ...values })
      .onConflict((oc) =>
        oc
          .column('connector_id')
          .doUpdateSet((eb) => ({ ...values, version: eb('box_tokens.version', '+', 1) })),
      )
      .execute();
  }

  /** The row, or undefined when the connector has no tokens. */
  load(connectorId: string): Promise<BoxTokensRecord | undefined> {
    return this.db
      .selectFrom('box_tokens')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .executeTakeFirst();
  }

  /** Forgets the connector's tokens. */
  async delete(connectorId: string): Promise<void> {
    await this.db.deleteFrom('box_tokens').where('connector_id', '=', connectorId).execute();
  }

  /**
   * Takes the refresh lease when it is free, expired, or already ours; true when taken. Two processes
   * calling at once: exactly one UPDATE matches.
   */
  async tryAcquireLease(
    connectorId: string,
    owner: string,
    leaseMs: number,
    now = new Date(),
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('box_tokens')
      .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('connector_id', '=', connectorId)
      .where((eb) =>
        eb.or([
          eb('lease_owner', 'is', null),
          eb('lease_until', '<', now.toISOString()),
          eb('lease_owner', '=', owner),
        ]),
      )
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Stores a refreshed pair only if the stored version is still `expectedVersion` (compare-and-swap),
   * and drops the lease; false when another writer got there first.
   */
  async replaceIfVersion(
    connectorId: string,
    expectedVersion: number,
    sealedToken: string,
    expiresAt: Date,
    now = new Date(),
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('box_tokens')
      .set({
        sealed_token: sealedToken,
        expires_at: expiresAt.toISOString(),
        version: expectedVersion + 1,
        lease_owner: null,
        lease_until: null,
        updated_at: now.toISOString(),
      })
      .where('connector_id', '=', connectorId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Gives the lease back if `owner` still holds it (after a failed refresh). */
  async releaseLease(connectorId: string, owner: string): Promise<void> {
    await this.db
      .updateTable('box_tokens')
      .set({ lease_owner: null, lease_until: null })
      .where('connector_id', '=', connectorId)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** Every connector's sealed token (for re-sealing with a new key). */
  listSealed(): Promise<Array<{ connector_id: string; sealed_token: string }>> {
    return this.db
      .selectFrom('box_tokens')
      .select(['connector_id', 'sealed_token'])
      .orderBy('connector_id')
      .execute();
  }

  /**
   * Replaces a sealed token by the same token sealed anew, only if it is still `previous` (a refresh that
   * stored a new pair meanwhile wins); version and lease are untouched, since the pair is the same.
   */
  async resealIf(
    connectorId: string,
    previous: string,
    resealed: string,
    now = new Date(),
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('box_tokens')
      .set({ sealed_token: resealed, updated_at: now.toISOString() })
      .where('connector_id', '=', connectorId)
      .where('sealed_token', '=', previous)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
