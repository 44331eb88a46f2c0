import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { dateTimeFromString } from 'box-node-sdk/internal/utils';
import type { BoxClientPool } from '../box/box-client-pool';
import { boxFailure } from '../box/box-failure';
import { kindOfEventType } from '../domain/file-event';
import type { EventLogRepository, NewEvent } from '../store/event-log-repository';
import type { EventLogActivities } from '../workflows/import-event-log-activities';
import { withKeepalive } from './keepalive';
import { eventLagSeconds } from '../telemetry/metrics';

/** What the backfill activities need. */
export interface BackfillDeps {
  clients: BoxClientPool;
  activityLog: EventLogRepository;
  /** How much one importEventPages call does before it returns (tests and benchmarks shrink it). */
  budget?: Partial<BackfillBudget>;
}

/** Bounds of one importEventPages call: it returns after whichever comes first. */
export interface BackfillBudget {
  maxPages: number;
  maxMs: number;
}

/** 200 pages (up to 100,000 events) or a minute: a few history events per call, short retries. */
export const DEFAULT_BACKFILL_BUDGET: BackfillBudget = { maxPages: 200, maxMs: 60_000 };

/** Events per admin_logs request (Box's maximum). */
export const EVENT_PAGE_LIMIT = 500;

/**
 * Empty pages in a row, each with a new position, after which the window is taken as exhausted: Box may
 * answer an empty page that is not the end, but an endless run of them would loop forever.
 */
export const MAX_EMPTY_PAGES_IN_A_ROW = 100;

/** What importEventPages heartbeats after every page (counts since the call started). */
export interface BackfillHeartbeat {
  streamPosition?: string;
  imported: number;
  pages: number;
}

/** The activities of importEventLog. */
export function createEventLogActivities(deps: BackfillDeps): EventLogActivities {
  const budget = { ...DEFAULT_BACKFILL_BUDGET, ...deps.budget };
  return {
    /**
     * Pages `GET /2.0/events?stream_type=admin_logs` over [createdAfter, createdBefore) (whole seconds:
     * Box's timestamps have no fraction, and the SDK drops it) from the heartbeated position when this is
     * a retry, else from `streamPosition` (none: the window start). Each page's in-window events go to the
     * event log (idempotent), then the position and counts are heartbeated. `imported` counts the
     * window's events read from Box and stored, whether or not an earlier attempt had already stored them,
     * so the total over the backfill equals the window's events exactly.
     *
     * Stop rule: a page with events is never the end. An empty page is the end when its
     * `next_stream_position` is absent, `0`, or the position that was sent; an empty page with a new
     * position is not the end (Box pages can be empty while more exist), up to MAX_EMPTY_PAGES_IN_A_ROW.
     */
    async importEventPages(input) {
      const ctx = Context.current();
      const resumed = readHeartbeat(ctx.info.heartbeatDetails);
      const progress: BackfillHeartbeat = resumed ?? {
        streamPosition: input.streamPosition,
        imported: 0,
        pages: 0,
      };
      const window = windowOf(input.createdAfter, input.createdBefore);
      const client = deps.clients.get(input.connectorId, input.dataCenter);
      const started = Date.now();
      let pagesThisAttempt = 0;
      let emptyInARow = 0;
      let newest = Number.NEGATIVE_INFINITY;
      if (resumed) log.info('backfill resumes from the last heartbeat', { ...resumed });

      const fetchPage = (position: string | undefined) => {
        const page = client.events
          .getEvents(
            {
              streamType: 'admin_logs',
              createdAfter: dateTimeFromString(window.afterIso),
              createdBefore: dateTimeFromString(window.beforeIso),
              limit: EVENT_PAGE_LIMIT,
              ...(position !== undefined && { streamPosition: position }),
            },
            undefined,
            ctx.cancellationSignal,
          )
          .then(
            (events) => rawPage(events.rawData, events.nextStreamPosition),
            (err: unknown) => {
              throw ctx.cancellationSignal.aborted ? ctx.cancellationSignal.reason : boxFailure(err);
            },
          );
        page.catch(() => undefined); // a read-ahead left behind by a failure must not go unhandled
        return page;
      };

      // Heartbeats the stored position every 4 s (KEEPALIVE_MS) while a slow page or a slow store is awaited.
      return withKeepalive(
        ctx,
        () => ({ ...progress }),
        async () => {
          let sent = progress.streamPosition;
          let pending = fetchPage(sent);
          for (;;) {
            const page = await pending;
            const end = isEndOfWindow(sent, page, emptyInARow);
            emptyInARow = page.entries.length === 0 ? emptyInARow + 1 : 0;
            pagesThisAttempt++;
            const last = end || pagesThisAttempt >= budget.maxPages || Date.now() - started >= budget.maxMs;
            // Read ahead: Box prepares the next page while this one is written. The heartbeat below
            // still names only positions whose pages are stored.
            if (!last) {
              sent = page.next;
              pending = fetchPage(sent);
            }

            const parsed = page.entries.map(toActivity);
            const activities = parsed.filter(
              (a): a is NewEvent => a !== undefined && window.contains(a.occurredAt),
            );
            const unreadable = parsed.filter((a) => a === undefined).length;
            if (unreadable > 0)
              log.warn('skipped Box events without an id, type or valid time', { unreadable });
            if (activities.length > 0) await deps.activityLog.insertPage(input.connectorId, activities);
            progress.imported += activities.length;
            progress.pages++;
            for (const a of activities) newest = Math.max(newest, Date.parse(a.occurredAt));
            // How much of the window is still to import, measured from the newest event imported so far.
            eventLagSeconds.set(
              { connector: input.connectorId, stream: 'backfill' },
              end ? 0 : Math.max(0, window.beforeMs - Math.max(newest, window.afterMs)) / 1000,
            );
            if (!end) progress.streamPosition = page.next;
            ctx.heartbeat({ ...progress });
            if (last) return { ...counts(progress), done: end };
            if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
          }
        },
      );
    },
  };
}

/** Whether a page ends the window (see importEventPages for the rule); logs, so only inside an activity. */
function isEndOfWindow(
  sent: string | undefined,
  page: { entries: readonly unknown[]; next: string | undefined },
  emptyPagesBefore = 0,
): boolean {
  if (page.entries.length > 0) {
    if (page.next === undefined) {
      log.warn('Box sent events without a next stream position: the window ends here');
      return true;
    }
    if (page.next === sent)
      throw ApplicationFailure.nonRetryable(
        `Box's event stream did not advance past position ${sent}: reading on would repeat the same page forever.`,
        'BoxEventStreamStuck',
      );
    return false;
  }
  if (page.next === undefined || page.next === '0' || page.next === sent) return true;
  if (emptyPagesBefore + 1 >= MAX_EMPTY_PAGES_IN_A_ROW) {
    log.warn('Box kept sending empty pages with new positions: the window is taken as exhausted', {
      position: page.next,
    });
    return true;
  }
  return false;
}

function counts(p: BackfillHeartbeat) {
  return { imported: p.imported, pages: p.pages, nextStreamPosition: p.streamPosition };
}

/** The window in whole seconds: [after, before). */
function windowOf(createdAfter: string, createdBefore: string) {
  const after = Math.floor(parseDate(createdAfter, 'createdAfter') / 1000);
  const before = Math.floor(parseDate(createdBefore, 'createdBefore') / 1000);
  return {
    afterMs: after * 1000,
    beforeMs: before * 1000,
    afterIso: new Date(after * 1000).toISOString(),
    beforeIso: new Date(before * 1000).toISOString(),
    contains(occurredAt: string) {
      const t = Math.floor(Date.parse(occurredAt) / 1000);
      return t >= after && t < before;
    },
  };
}

function parseDate(text: string, name: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw ApplicationFailure.nonRetryable(`${name} is not a date: '${text}'`, 'InvalidBackfillWindow');
  return ms;
}

/** Entries as Box sent them, and the next position as text (Box sends a number or a string). */
function rawPage(rawData: unknown, nextStreamPosition: string | number | undefined) {
  const raw = isRecord(rawData) ? rawData : {};
  const entries = Array.isArray(raw.entries) ? (raw.entries as unknown[]) : [];
  const next = raw.next_stream_position ?? nextStreamPosition;
  return {
    entries,
    next: typeof next === 'string' || typeof next === 'number' ? String(next) : undefined,
  };
}

/** An admin_logs event as an activity-log row; undefined when it lacks an id, type or valid time. */
export function toActivity(entry: unknown): NewEvent | undefined {
  if (!isRecord(entry)) return undefined;
  const eventId = text(entry.event_id);
  const eventType = text(entry.event_type);
  const occurredAt = text(entry.created_at);
  if (!eventId || !eventType || !occurredAt || Number.isNaN(Date.parse(occurredAt))) return undefined;
  const actor = isRecord(entry.created_by) ? entry.created_by : {};
  const source = isRecord(entry.source) ? entry.source : {};
  // File events carry {item_type:'file', item_id}; some event types carry the file object itself.
  const fileId =
    source.item_type === 'file' ? text(source.item_id) : source.type === 'file' ? text(source.id) : undefined;
  return {
    eventId,
    eventType,
    kind: kindOfEventType(eventType),
    fileId,
    actorId: text(actor.id),
    actorLogin: text(actor.login),
    ipAddress: text(entry.ip_address),
    occurredAt,
    source: 'event-log',
    rawJson: JSON.stringify(entry),
  };
}

function readHeartbeat(details: unknown): BackfillHeartbeat | undefined {
  if (!isRecord(details) || typeof details.imported !== 'number' || typeof details.pages !== 'number')
    return undefined;
  const position = details.streamPosition;
  return {
    streamPosition: typeof position === 'string' ? position : undefined,
    imported: details.imported,
    pages: details.pages,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
