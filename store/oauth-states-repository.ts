import type { Kysely } from 'kysely';
import type { Database } from './schema';

/** Issued OAuth `state` nonces and their single use. */
export class OAuthStatesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records a newly issued nonce. */
  async issue(nonce: string, connectorId: string, expiresAt: Date): Promise<void> {
    await this.db
      .insertInto('oauth_states')
      .values({ nonce, connector_id: connectorId, expires_at: expiresAt.toISOString(), used_at: null })
      .execute();
  }

  /** Marks the nonce used; true only for the first caller (one conditional UPDATE, safe across processes). */
  async consume(nonce: string, connectorId: string, now = new Date()): Promise<boolean> {
    const result = await this.db
      .updateTable('oauth_states')
      .set({ used_at: now.toISOString() })
      .where('nonce', '=', nonce)
      .where('connector_id', '=', connectorId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** The nonce's record (who it was issued for, whether it was used), or undefined when there is none. */
  find(nonce: string): Promise<{ connector_id: string; used_at: string | null } | undefined> {
    return this.db
      .selectFrom('oauth_states')
      .select(['connector_id', 'used_at'])
      .where('nonce', '=', nonce)
      .executeTakeFirst();
  }

  /** Drops nonces expired before `before` (housekeeping). */
  async purgeExpired(before: Date): Promise<void> {
    await this.db.deleteFrom('oauth_states').where('expires_at', '<', before.toISOString()).execute();
  }
}
