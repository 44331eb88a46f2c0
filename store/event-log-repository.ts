import type { Kysely, Selectable } from 'kysely';
import type { EVENT_SOURCES, EventKind } from '../domain/file-event';
import type { EventLogTable } from './event-log-table';
import type { Database } from './schema';

/** Where an event came from (one of EVENT_SOURCES). */
export type EventSource = (typeof EVENT_SOURCES)[number];

/** One Box event to record. `occurredAt` is any date Date.parse reads; it is stored as UTC ISO. */
export interface NewEvent {
  eventId: string;
  eventType: string;
  kind?: EventKind;
  fileId?: string;
  actorId?: string;
  actorLogin?: string;
  ipAddress?: string;
  occurredAt: string;
  source: EventSource;
  /** The event as Box sent it, as JSON text. */
  rawJson: string;
}

/** A row of the event log. */
export type EventLogRow = Selectable<EventLogTable>;

/** Filters and paging of EventLogRepository.query. */
export interface EventQuery {
  /** Event types / webhook triggers (any of them). */
  types?: readonly string[];
  /** Event kinds (any of them). */
  kinds?: readonly EventKind[];
  fileId?: string;
  /** Actor id or login. */
  user?: string;
  /** occurred_at >= from (ISO). */
  from?: string;
  /** occurred_at < to (ISO). */
  to?: string;
  /** nextCursor of the previous page. */
  cursor?: string;
  /** Rows per page: default 100, at most 1,000. */
  limit?: number;
  /** 'desc' (newest first, default) or 'asc'. */
  order?: 'asc' | 'desc';
}

/** A page of the event log. */
export interface EventPage {
  items: EventLogRow[];
  /** Present when more rows match: pass it as `cursor` for the next page. */
  nextCursor?: string;
}

/** Rows per page when the caller does not say, and the most it may ask for. */
export const EVENT_PAGE = { defaultLimit: 100, maxLimit: 1000 } as const;

/** Thrown when a cursor was not made by this repository (or for another sort order). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor(readonly cursor: string) {
    super(
      'The cursor is not valid: pass the nextCursor of the previous page unchanged, with the same order.',
    );
  }
}

// Rows per INSERT: 12 parameters each stays far below SQLite's 32,766 and PostgreSQL's 65,535.
const INSERT_CHUNK = 1000;

/** The event log: idempotent inserts and filtered, keyset-paged reads. */
export class EventLogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records activities; an event already recorded for the connector is left as it is (ON CONFLICT DO
   * NOTHING on (connector_id, event_id)), so writing a page again adds nothing. Returns how many were new.
   */
  async insertPage(connectorId: string, activities: readonly NewEvent[]): Promise<number> {
    const recordedAt = new Date().toISOString();
    let inserted = 0;
    for (let i = 0; i < activities.length; i += INSERT_CHUNK) {
      const rows = activities.slice(i, i + INSERT_CHUNK).map((a) => eventRow(connectorId, a, recordedAt));
      const result = await this.db
        .insertInto('event_log')
        .values(rows)
        .onConflict((oc) => oc.columns(['connector_id', 'event_id']).doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return inserted;
  }

  /** Activities of the connector matching every given filter, newest first unless `order: 'asc'`. */
  async query(connectorId: string, q: EventQuery = {}): Promise<EventPage> {
    const order = q.order ?? 'desc';
    const limit = Math.min(Math.max(1, q.limit ?? EVENT_PAGE.defaultLimit), EVENT_PAGE.maxLimit);
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, order);
    const rows = await this.db
      .selectFrom('event_log')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .$if(q.types !== undefined && q.types.length > 0, (b) => b.where('event_type', 'in', q.types!))
      .$if(q.kinds !== undefined && q.kinds.length > 0, (b) => b.where('kind', 'in', q.kinds!))
      .$if(q.fileId !== undefined, (b) => b.where('file_id', '=', q.fileId!))
      .$if(q.user !== undefined, (b) =>
        b.where((eb) => eb.or([eb('actor_id', '=', q.user!), eb('actor_login', '=', q.user!)])),
      )
      .$if(q.from !== undefined, (b) => b.where('occurred_at', '>=', toIsoUtc(q.from!)))
      .$if(q.to !== undefined, (b) => b.where('occurred_at', '<', toIsoUtc(q.to!)))
      .$if(after !== undefined, (b) =>
        b.where((eb) =>
          eb(
            eb.refTuple('occurred_at', 'event_id'),
            order === 'desc' ? '<' : '>',
            eb.tuple(after![0], after![1]),
          ),
        ),
      )
      .orderBy('occurred_at', order)
      .orderBy('event_id', order)
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return rows.length > limit && last
      ? { items, nextCursor: encodeCursor(last.occurred_at, last.event_id, order) }
      : { items };
  }

  /**
   * Records events read from the enterprise event stream, under one de-duplication rule: an event whose
   * Box event id is already recorded adds nothing (`recorded-before`: Box's stream repeats events, the
   * backfill may have read it, or an earlier attempt stored it), and a file event whose file, kind and
   * second match a webhook delivery already recorded is the same user action seen twice
   * (`webhook-duplicate`): it is not recorded, so the log keeps one row per action. Returns each event's
   * outcome, in order.
   */
  async recordStreamEvents(connectorId: string, events: readonly NewEvent[]): Promise<StreamEventOutcome[]> {
    if (events.length === 0) return [];
    const delivered = await this.webhookActions(connectorId, events);
    const outcomes: StreamEventOutcome[] = events.map((e) =>
      delivered.has(actionKey(e)) ? 'webhook-duplicate' : 'recorded-before',
    );
    const toInsert = events.filter((_, i) => outcomes[i] !== 'webhook-duplicate');
    const recordedAt = new Date().toISOString();
    const fresh = new Set<string>();
    for (let i = 0; i < toInsert.length; i += INSERT_CHUNK) {
      const rows = await this.db
        .insertInto('event_log')
        .values(toInsert.slice(i, i + INSERT_CHUNK).map((e) => eventRow(connectorId, e, recordedAt)))
        .onConflict((oc) => oc.columns(['connector_id', 'event_id']).doNothing())
        .returning('event_id')
        .execute();
      for (const r of rows) fresh.add(r.event_id);
    }
    // The first occurrence of an inserted id is the new one; a repeat within the batch was recorded before.
    return events.map((e, i) =>
      outcomes[i] === 'recorded-before' && fresh.delete(e.eventId) ? 'new' : outcomes[i]!,
    );
  }

  /** Keys (file, kind, second) of the webhook deliveries recorded for the files of `events`, around their times. */
  private async webhookActions(connectorId: string, events: readonly NewEvent[]): Promise<Set<string>> {
    const fileEvents = events.filter((e) => e.fileId !== undefined && e.kind !== undefined);
    if (fileEvents.length === 0) return new Set();
    const seconds = fileEvents.map((e) => secondOf(e.occurredAt));
    const rows = await this.db
      .selectFrom('event_log')
      .select(['file_id', 'kind', 'occurred_at'])
      .where('connector_id', '=', connectorId)
      .where('source', '=', 'webhook')
      .where('file_id', 'in', [...new Set(fileEvents.map((e) => e.fileId!))])
      .where('occurred_at', '>=', new Date(Math.min(...seconds) * 1000).toISOString())
      .where('occurred_at', '<', new Date((Math.max(...seconds) + 1) * 1000).toISOString())
      .execute();
    return new Set(rows.map((r) => `${r.file_id}|${r.kind ?? ''}|${secondOf(r.occurred_at)}`));
  }

  /** How many activities the connector has (optionally from one source). */
  async count(connectorId: string, source?: EventSource): Promise<number> {
    const row = await this.db
      .selectFrom('event_log')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('connector_id', '=', connectorId)
      .$if(source !== undefined, (b) => b.where('source', '=', source!))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

/** What EventLogRepository.recordStreamEvents did with one event. */
export type StreamEventOutcome = 'new' | 'recorded-before' | 'webhook-duplicate';

/** The user action an event stands for, whichever source saw it: file, kind and whole second. */
function actionKey(e: NewEvent): string {
  return e.fileId !== undefined && e.kind !== undefined
    ? `${e.fileId}|${e.kind}|${secondOf(e.occurredAt)}`
    : '';
}

function secondOf(date: string): number {
  return Math.floor(Date.parse(toIsoUtc(date)) / 1000);
}

/** A date as stored: UTC ISO 8601 with milliseconds. Throws RangeError for text Date.parse cannot read. */
export function toIsoUtc(date: string): string {
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) throw new RangeError(`Not a date: '${date}'`);
  return new Date(ms).toISOString();
}

function encodeCursor(occurredAt: string, eventId: string, order: 'asc' | 'desc'): string {
  return Buffer.from(JSON.stringify([occurredAt, eventId, order])).toString('base64url');
}

function decodeCursor(cursor: string, order: 'asc' | 'desc'): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      value[2] === order
    )
      return [value[0], value[1]];
  } catch {
    // falls through to the error below
  }
  throw new InvalidCursorError(cursor);
}

/** The event_log row of one event (shared by the event-log import and the webhook receiver). */
export function eventRow(connectorId: string, a: NewEvent, recordedAt: string): EventLogRow {
  return {
    connector_id: connectorId,
    event_id: a.eventId,
    event_type: a.eventType,
    kind: a.kind ?? null,
    file_id: a.fileId ?? null,
    actor_id: a.actorId ?? null,
    actor_login: a.actorLogin ?? null,
    ip_address: a.ipAddress ?? null,
    occurred_at: toIsoUtc(a.occurredAt),
    source: a.source,
    raw_json: a.rawJson,
    recorded_at: recordedAt,
  };
}
