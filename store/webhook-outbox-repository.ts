import type { Kysely } from 'kysely';
import type { FileEvent } from '../domain/file-event';
import { eventRow, type NewEvent } from './event-log-repository';
import type { Database } from './schema';

/** A delivery to record: its event-log row and, when the scan cares, the file event to signal. */
export interface OutboxDelivery {
  logged: NewEvent;
  event?: FileEvent;
}

/** What became of one delivery in recordDeliveries. */
export type RecordedAs =
  /** New; its file event is pending and leased to the caller, who signals it now. */
  | 'fresh'
  /** New, nothing to signal (views, folders). */
  | 'recorded'
  /** Already recorded and still pending with an expired lease: now leased to the caller, to signal again. */
  | 'reclaimed'
  /** Already recorded and pending under another live lease: its holder (or the sweeper) signals it. */
  | 'pending'
  /** Already recorded and signalled (or never needed a signal). */
  | 'duplicate';

/** A pending delivery claimed by the sweeper. */
export interface ClaimedDelivery {
  connectorId: string;
  eventId: string;
  event: FileEvent;
}

/**
 * The webhook outbox (table webhook_outbox, migration 009): a delivery is recorded in the event log and,
 * in the same transaction, left pending here until the signal carrying it is accepted (then `markSignalled`
 * deletes it). Leases make claims exclusive across API processes: a row is taken only by a conditional
 * UPDATE ... WHERE lease_until < now, atomic on SQLite and on PostgreSQL (which re-checks the WHERE on the
 * row it locked).
 */
export class WebhookOutboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a batch of deliveries of one connector in one transaction: the new ones in the event log (ON
   * CONFLICT DO NOTHING RETURNING) and their file events as pending, leased to `owner` until `leaseUntil`;
   * an already recorded delivery still pending whose lease ran out is leased to `owner` again. One answer
   * per delivery, in order (a repeat inside the batch is a duplicate of the first).
   */
  async recordDeliveries(
    connectorId: string,
    deliveries: readonly OutboxDelivery[],
    lease: { owner: string; now: string; until: string },
  ): Promise<RecordedAs[]> {
    if (deliveries.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('event_log')
        .values(deliveries.map((d) => eventRow(connectorId, d.logged, lease.now)))
        .onConflict((oc) => oc.columns(['connector_id', 'event_id']).doNothing())
        .returning('event_id')
        .execute();
      const fresh = new Set(inserted.map((r) => r.event_id));
      const seen = new Set<string>();
      const answers: RecordedAs[] = deliveries.map((d) => {
        const id = d.logged.eventId;
        const first = !seen.has(id);
        seen.add(id);
        if (first && fresh.has(id)) return d.event ? 'fresh' : 'recorded';
        return 'duplicate';
      });
      const pending = deliveries.filter((d, i) => answers[i] === 'fresh');
      if (pending.length > 0)
        await trx
          .insertInto('webhook_outbox')
          .values(
            pending.map((d) => ({
              connector_id: connectorId,
              event_id: d.logged.eventId,
              event_json: JSON.stringify(d.event),
              recorded_at: lease.now,
              lease_owner: lease.owner,
              lease_until: lease.until,
              attempts: 1,
            })),
          )
          .execute();
      const retried = [
        ...new Set(
          deliveries
            .filter((d, i) => answers[i] === 'duplicate' && !fresh.has(d.logged.eventId))
            .map((d) => d.logged.eventId),
        ),
      ];
      if (retried.length > 0) {
        const stillPending = await trx
          .selectFrom('webhook_outbox')
          .select('event_id')
          .where('connector_id', '=', connectorId)
          .where('event_id', 'in', retried)
          .execute();
        const claimed = await trx
          .updateTable('webhook_outbox')
          .set((eb) => ({
            lease_owner: lease.owner,
            lease_until: lease.until,
            attempts: eb('attempts', '+', 1),
          }))
          .where('connector_id', '=', connectorId)
          .where('event_id', 'in', retried)
          .where('lease_until', '<', lease.now)
          .returning('event_id')
          .execute();
        const reclaimed = new Set(claimed.map((r) => r.event_id));
        const leasedElsewhere = new Set(stillPending.map((r) => r.event_id));
        const answered = new Set<string>();
        deliveries.forEach((d, i) => {
          const id = d.logged.eventId;
          if (answers[i] !== 'duplicate' || fresh.has(id) || answered.has(id)) return;
          answered.add(id);
          if (reclaimed.has(id)) answers[i] = 'reclaimed';
          else if (leasedElsewhere.has(id)) answers[i] = 'pending';
        });
      }
      return answers;
    });
  }

  /** The signal carrying these deliveries was accepted: they are no longer pending (the owner's rows only). */
  async markSignalled(connectorId: string, eventIds: readonly string[], owner: string): Promise<void> {
    if (eventIds.length === 0) return;
    await this.db
      .deleteFrom('webhook_outbox')
      .where('connector_id', '=', connectorId)
      .where('event_id', 'in', eventIds)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** A signal attempt failed: the rows go back to the sweeper at once instead of when the lease ends. */
  async release(connectorId: string, eventIds: readonly string[], owner: string, now: string): Promise<void> {
    if (eventIds.length === 0) return;
    await this.db
      .updateTable('webhook_outbox')
      .set({ lease_until: now })
      .where('connector_id', '=', connectorId)
      .where('event_id', 'in', eventIds)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /**
   * Claims up to `limit` pending deliveries whose lease ran out (a process died between recording and
   * signalling, or its signal failed), oldest first, for `owner` until `until`. Rows of connectors that are
   * no longer active are dropped: their workflow is gone and nothing can take the signal.
   */
  async claimExpired(
    lease: { owner: string; now: string; until: string },
    limit: number,
  ): Promise<ClaimedDelivery[]> {
    await this.db
      .deleteFrom('webhook_outbox')
      .where('lease_until', '<', lease.now)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('connectors')
              .select('connectors.id')
              .whereRef('connectors.id', '=', 'webhook_outbox.connector_id')
              .where('connectors.active', '=', 1),
          ),
        ),
      )
      .execute();
    const candidates = await this.db
      .selectFrom('webhook_outbox')
      .select(['connector_id', 'event_id'])
      .where('lease_until', '<', lease.now)
      .orderBy('recorded_at')
      .limit(limit)
      .execute();
    const byConnector = new Map<string, string[]>();
    for (const c of candidates)
      byConnector.set(c.connector_id, [...(byConnector.get(c.connector_id) ?? []), c.event_id]);
    const rows: Array<{ connector_id: string; event_id: string; event_json: string }> = [];
    for (const [connectorId, eventIds] of byConnector) {
      // The conditional UPDATE is the claim: a row another process took meanwhile no longer matches.
      rows.push(
        ...(await this.db
          .updateTable('webhook_outbox')
          .set((eb) => ({
            lease_owner: lease.owner,
            lease_until: lease.until,
            attempts: eb('attempts', '+', 1),
          }))
          .where('connector_id', '=', connectorId)
          .where('event_id', 'in', eventIds)
          .where('lease_until', '<', lease.now)
          .returning(['connector_id', 'event_id', 'event_json'])
          .execute()),
      );
    }
    return rows.map((r) => ({
      connectorId: r.connector_id,
      eventId: r.event_id,
      event: JSON.parse(r.event_json) as FileEvent,
    }));
  }

  /** How many deliveries of the connector are pending (all connectors when omitted). */
  async countPending(connectorId?: string): Promise<number> {
    let q = this.db.selectFrom('webhook_outbox').select((eb) => eb.fn.countAll<number | string>().as('n'));
    if (connectorId) q = q.where('connector_id', '=', connectorId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
}
