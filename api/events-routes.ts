import { z } from 'zod';
import {
  EventLogRepository,
  EVENT_PAGE,
  type EventLogRow,
  type EventQuery,
} from '../store/event-log-repository';
import type { Store } from '../store/database';
import { EVENT_KINDS } from '../domain/file-event';
import { answerPage, pageOf, pagingQuery, type ApiApp } from './api-app';
import { connectorOf } from './connector-scope';
import { problemResponses } from './problem';

/** What the event log route needs. */
export interface EventsRoutesDeps {
  store: Store;
}

const list = <T extends z.ZodType<string, string>>(item: T, what: string) =>
  z
    .string()
    .transform((text) => text.split(',').map((s) => s.trim()))
    .pipe(z.array(item).min(1, `one or more ${what}, comma-separated`).max(50, `at most 50 ${what}`));

const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  message: 'an ISO 8601 date or date-time, e.g. 2026-05-01T00:00:00Z',
});

/** Query of GET /api/connectors/:id/events. */
export const eventsQuery = z
  .strictObject({
    type: list(
      z.string().regex(/^[A-Za-z0-9_.]{1,100}$/, 'a Box event type such as EDIT'),
      'event types',
    ).optional(),
    kind: list(z.enum(EVENT_KINDS, { message: `one of ${EVENT_KINDS.join(', ')}` }), 'kinds').optional(),
    fileId: z.string().min(1).max(64).optional(),
    user: z.string().min(1).max(254).optional(),
    from: instant.optional(),
    to: instant.optional(),
    ...pagingQuery(EVENT_PAGE),
    order: z.enum(['asc', 'desc'], { message: 'asc or desc' }).default('desc'),
    raw: z.enum(['true', 'false'], { message: 'true or false' }).default('false'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: 'must be later than from',
    path: ['to'],
  });

/** The event log's query for a request's filters (the API's list and the console's activity page). */
export function eventLogQuery(q: z.infer<typeof eventsQuery>): EventQuery {
  return {
    types: q.type,
    kinds: q.kind,
    fileId: q.fileId,
    user: q.user,
    from: q.from,
    to: q.to,
    cursor: q.cursor,
    limit: q.limit,
    order: q.order,
  };
}

/** One event as the API shows it. */
export const eventView = z
  .object({
    eventId: z.string(),
    eventType: z.string(),
    kind: z.string().nullable(),
    fileId: z.string().nullable(),
    actor: z.object({ id: z.string().nullable(), login: z.string().nullable() }),
    ipAddress: z.string().nullable(),
    occurredAt: z.string(),
    source: z.string(),
    raw: z.unknown().optional().describe('The event as Box sent it (with ?raw=true)'),
  })
  .meta({ id: 'Event' });

/** One event as the API shows it. */
export type EventView = z.infer<typeof eventView>;

/**
 * `GET /api/connectors/:id/events?type=&kind=&fileId=&user=&from=&to=&cursor=&limit=&order=&raw=`:
 * the connector's event log, newest first, `{ items, nextCursor? }`. `GET .../activities` is the same
 * route under its name before the vocabulary change, kept for existing clients. See docs/event-log.md.
 */
export function registerEventsRoutes(app: ApiApp, deps: EventsRoutesDeps): void {
  const eventLog = new EventLogRepository(deps.store.db);

  for (const [url, deprecated] of [
    ['/events', false],
    ['/activities', true],
  ] as const)
    app.get(
      url,
      {
        config: { role: 'viewer' },
        schema: {
          summary: deprecated
            ? 'Deprecated name of GET /api/connectors/{id}/events'
            : "The connector's event log (backfill and webhooks), newest first",
          tags: ['event log'],
          ...(deprecated && { deprecated: true }),
          querystring: eventsQuery,
          response: { 200: pageOf(eventView), ...problemResponses(400, 401, 404, 429) },
        },
      },
      (req) => {
        const q = req.query;
        const includeRaw = q.raw === 'true';
        return answerPage(
          () => eventLog.query(connectorOf(req).id, eventLogQuery(q)),
          (row) => view(row, includeRaw),
        );
      },
    );
}

function view(row: EventLogRow, includeRaw: boolean): EventView {
  return {
    eventId: row.event_id,
    eventType: row.event_type,
    kind: row.kind,
    fileId: row.file_id,
    actor: { id: row.actor_id, login: row.actor_login },
    ipAddress: row.ip_address,
    occurredAt: row.occurred_at,
    source: row.source,
    ...(includeRaw && { raw: JSON.parse(row.raw_json) as unknown }),
  };
}
