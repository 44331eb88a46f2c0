import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { eventRow, type NewEvent } from './event-log-repository';
import type { Database } from './schema';
import type { WebhooksTable } from './webhooks-table';

/** A registered webhook as the store returns it. */
export type WebhookRow = Selectable<WebhooksTable>;

/** A webhook to record. */
export interface NewWebhook {
  webhookId: string;
  targetType: 'folder' | 'file';
  targetId: string;
  userId: string;
}

/** The webhooks each connector registered at Box, and the receiver's lookups. */
export class WebhooksRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a webhook. A row for the same (user, target) is replaced, so re-creating a webhook that was
   * deleted at Box leaves exactly one row for the target.
   */
  async record(connectorId: string, hook: NewWebhook, createdAt = new Date().toISOString()): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('webhooks')
        .where('connector_id', '=', connectorId)
        .where('user_id', '=', hook.userId)
        .where('target_type', '=', hook.targetType)
        .where('target_id', '=', hook.targetId)
        .execute();
      await trx
        .insertInto('webhooks')
        .values({
          connector_id: connectorId,
          webhook_id: hook.webhookId,
          target_type: hook.targetType,
          target_id: hook.targetId,
          user_id: hook.userId,
          created_at: createdAt,
        })
        .onConflict((oc) => oc.columns(['connector_id', 'webhook_id']).doNothing())
        .execute();
    });
  }

  /** The connector's webhooks, by user then target. */
  list(connectorId: string): Promise<WebhookRow[]> {
    return this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .orderBy('user_id')
      .orderBy('target_id')
      .execute();
  }

  /**
   * The webhook with that Box id, or undefined: what a delivery names. An active connector's record wins:
   * the record of a disconnected connector whose removal at Box failed must not shadow it (box-sim, for
   * one, hands out the same ids again after a restart).
   */
  find(webhookId: string): Promise<WebhookRow | undefined> {
    return this.db
      .selectFrom('webhooks')
      .leftJoin('connectors', 'connectors.id', 'webhooks.connector_id')
      .selectAll('webhooks')
      .where('webhooks.webhook_id', '=', webhookId)
      .orderBy(sql`coalesce(connectors.active, 0)`, 'desc')
      .executeTakeFirst();
  }

  /** Forgets one webhook of the connector; true if it was recorded. */
  async remove(connectorId: string, webhookId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('webhooks')
      .where('connector_id', '=', connectorId)
      .where('webhook_id', '=', webhookId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** How many webhooks the connector has recorded. */
  async count(connectorId: string): Promise<number> {
    const row = await this.db
      .selectFrom('webhooks')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('connector_id', '=', connectorId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Records webhook deliveries in the event log with one statement (INSERT ... ON CONFLICT DO NOTHING
   * RETURNING event_id, atomic on SQLite and PostgreSQL alike) and says, per delivery, whether it was new:
   * false for a payload id the connector already had (Box's retry) or that came earlier in the same batch.
   */
  async recordDeliveries(connectorId: string, activities: readonly NewEvent[]): Promise<boolean[]> {
    if (activities.length === 0) return [];
    const recordedAt = new Date().toISOString();
    const inserted = await this.db
      .insertInto('event_log')
      .values(activities.map((a) => eventRow(connectorId, a, recordedAt)))
      .onConflict((oc) => oc.columns(['connector_id', 'event_id']).doNothing())
      .returning('event_id')
      .execute();
    const fresh = new Set(inserted.map((r) => r.event_id));
    // The first occurrence of an inserted id is the new one; a repeat within the batch is a duplicate.
    return activities.map((a) => fresh.delete(a.eventId));
  }

  /** The connector a webhook delivers for, and whether that connector is active (not Disconnected). */
  async connectorOf(webhookId: string): Promise<{ connectorId: string; active: boolean } | undefined> {
    const row = await this.db
      .selectFrom('webhooks')
      .leftJoin('connectors', 'connectors.id', 'webhooks.connector_id')
      .select(['webhooks.connector_id', 'connectors.active'])
      .where('webhooks.webhook_id', '=', webhookId)
      // An active connector's record wins over a disconnected one's whose removal at Box failed.
      .orderBy(sql`coalesce(connectors.active, 0)`, 'desc')
      .orderBy('webhooks.created_at', 'desc')
      .executeTakeFirst();
    return row && { connectorId: row.connector_id, active: Number(row.active) === 1 };
  }

  /**
   * Takes back webhook deliveries' activity-log rows (source `webhook`) when the signal carrying them failed,
   * so Box's retries of the same payload ids are not taken for duplicates.
   */
  async forgetDeliveries(connectorId: string, payloadIds: readonly string[]): Promise<void> {
    if (payloadIds.length === 0) return;
    await this.db
      .deleteFrom('event_log')
      .where('connector_id', '=', connectorId)
      .where('event_id', 'in', payloadIds)
      .where('source', '=', 'webhook')
      .execute();
  }
}
