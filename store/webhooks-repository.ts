import type { Kysely, Selectable } from 'kysely';
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
   * Takes back a webhook delivery's activity-log row (source `webhook`) when the signal carrying it failed,
   * so Box's retry of the same payload id is not taken for a duplicate.
   */
  async forgetDelivery(connectorId: string, payloadId: string): Promise<void> {
    await this.db
      .deleteFrom('activity_log')
      .where('connector_id', '=', connectorId)
      .where('event_id', '=', payloadId)
      .where('source', '=', 'webhook')
      .execute();
  }
}
