import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
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
      // Box keeps one webhook per (app, folder, user): a re-created or adopted one replaces the old one for
      // every active connector of the same enterprise that shares it, so their records stay true.
      await trx
        .updateTable('webhooks')
        .set({ webhook_id: hook.webhookId })
        .where('user_id', '=', hook.userId)
        .where('target_type', '=', hook.targetType)
        .where('target_id', '=', hook.targetId)
        .where('connector_id', '!=', connectorId)
        .where('connector_id', 'in', (eb) =>
          eb
            .selectFrom('connectors as other')
            .select('other.id')
            .where('other.active', '=', 1)
            .where('other.enterprise_id', '=', (eb2) =>
              eb2.selectFrom('connectors as me').select('me.enterprise_id').where('me.id', '=', connectorId),
            ),
        )
        .execute();
    });
  }

  /**
   * Whether an active connector other than `connectorId` records the webhook: then it is shared and must
   * stay at Box when `connectorId` lets it go.
   */
  async sharedWithOthers(connectorId: string, webhookId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('webhooks')
      .innerJoin('connectors', 'connectors.id', 'webhooks.connector_id')
      .select('webhooks.connector_id')
      .where('webhooks.webhook_id', '=', webhookId)
      .where('webhooks.connector_id', '!=', connectorId)
      .where('connectors.active', '=', 1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Every active connector a delivery of this webhook is for (a Box webhook is shared by an enterprise). */
  async activeConnectorsOf(webhookId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .innerJoin('connectors', 'connectors.id', 'webhooks.connector_id')
      .select('webhooks.connector_id')
      .where('webhooks.webhook_id', '=', webhookId)
      .where('connectors.active', '=', 1)
      .orderBy('webhooks.connector_id')
      .execute();
    return [...new Set(rows.map((r) => r.connector_id))];
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
}
