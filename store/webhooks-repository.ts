import type { Kysely, Selectable } from 'kysely';
import { ActivityLogRepository, type NewActivity } from './activity-log-repository';
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

  /** The webhook with that Box id (whatever the connector), or undefined: what a delivery names. */
  find(webhookId: string): Promise<WebhookRow | undefined> {
    return this.db.selectFrom('webhooks').selectAll().where('webhook_id', '=', webhookId).executeTakeFirst();
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
   * Records webhook deliveries in the activity log in one transaction (one commit for a whole batch) and
   * says, per delivery, whether it was new: false for a payload id the connector already has (Box's retry).
   */
  recordDeliveries(connectorId: string, activities: readonly NewActivity[]): Promise<boolean[]> {
    return this.db.transaction().execute(async (trx) => {
      const log = new ActivityLogRepository(trx);
      const fresh: boolean[] = [];
      for (const activity of activities) fresh.push((await log.insertPage(connectorId, [activity])) === 1);
      return fresh;
    });
  }

  /**
   * Takes back webhook deliveries' activity-log rows (source `webhook`) when the signal carrying them failed,
   * so Box's retries of the same payload ids are not taken for duplicates.
   */
  async forgetDeliveries(connectorId: string, payloadIds: readonly string[]): Promise<void> {
    if (payloadIds.length === 0) return;
    await this.db
      .deleteFrom('activity_log')
      .where('connector_id', '=', connectorId)
      .where('event_id', 'in', payloadIds)
      .where('source', '=', 'webhook')
      .execute();
  }
}
