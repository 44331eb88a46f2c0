import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  ActivityLogRepository,
  InvalidCursorError,
  ACTIVITY_PAGE,
  type ActivityRow,
} from '../store/activity-log-repository';
import type { ConnectorsRepository } from '../store/connectors-repository';
import type { Store } from '../store/database';
import { ACTIVITY_KINDS } from '../workflows/file-activity';

/** What the activities route needs. */
export interface ActivitiesRoutesDeps {
  store: Store;
  connectors: ConnectorsRepository;
}

const list = <T extends z.ZodType<string, string>>(item: T, what: string) =>
  z
    .string()
    .transform((text) => text.split(',').map((s) => s.trim()))
    .pipe(z.array(item).min(1, `one or more ${what}, comma-separated`).max(50, `at most 50 ${what}`));

const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  message: 'an ISO 8601 date or date-time, e.g. 2026-05-01T00:00:00Z',
});

/** Query of GET /api/connectors/:id/activities. */
export const activitiesQuery = z
  .strictObject({
    type: list(
      z.string().regex(/^[A-Za-z0-9_.]{1,100}$/, 'a Box event type such as EDIT'),
      'event types',
    ).optional(),
    kind: list(
      z.enum(ACTIVITY_KINDS, { message: `one of ${ACTIVITY_KINDS.join(', ')}` }),
      'kinds',
    ).optional(),
    fileId: z.string().min(1).max(64).optional(),
    user: z.string().min(1).max(254).optional(),
    from: instant.optional(),
    to: instant.optional(),
    cursor: z.string().min(1).max(1000).optional(),
    limit: z.coerce
      .number({ message: 'a number' })
      .int('a whole number')
      .min(1, 'at least 1')
      .max(ACTIVITY_PAGE.maxLimit, `at most ${ACTIVITY_PAGE.maxLimit}`)
      .default(ACTIVITY_PAGE.defaultLimit),
    order: z.enum(['asc', 'desc'], { message: 'asc or desc' }).default('desc'),
    raw: z.enum(['true', 'false'], { message: 'true or false' }).default('false'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: 'must be later than from',
    path: ['to'],
  });

const params = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a connector id') });

/** One activity as the API shows it. */
export interface ActivityView {
  eventId: string;
  eventType: string;
  kind: string | null;
  fileId: string | null;
  actor: { id: string | null; login: string | null };
  ipAddress: string | null;
  occurredAt: string;
  source: string;
  /** The event as Box sent it (with `?raw=true`). */
  raw?: unknown;
}

/**
 * `GET /api/connectors/:id/activities?type=&kind=&fileId=&user=&from=&to=&cursor=&limit=&order=&raw=`:
 * the connector's activity log, newest first, `{ items, nextCursor? }`. See docs/activity-log.md.
 */
export function registerActivitiesRoutes(app: FastifyInstance, deps: ActivitiesRoutesDeps): void {
  const activityLog = new ActivityLogRepository(deps.store.db);

  app.get('/api/connectors/:id/activities', async (req, reply) => {
    const p = params.safeParse(req.params);
    if (!p.success) return badRequest(reply, p.error);
    const q = activitiesQuery.safeParse(req.query);
    if (!q.success) return badRequest(reply, q.error);
    if (!(await deps.connectors.get(p.data.id)))
      return reply.code(404).send({ error: 'not_found', message: `No connector with id '${p.data.id}'.` });
    try {
      const page = await activityLog.query(p.data.id, {
        types: q.data.type,
        kinds: q.data.kind,
        fileId: q.data.fileId,
        user: q.data.user,
        from: q.data.from,
        to: q.data.to,
        cursor: q.data.cursor,
        limit: q.data.limit,
        order: q.data.order,
      });
      const includeRaw = q.data.raw === 'true';
      return {
        items: page.items.map((row) => view(row, includeRaw)),
        ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
      };
    } catch (err) {
      if (err instanceof InvalidCursorError)
        return reply
          .code(400)
          .send({ error: 'invalid_request', message: `Invalid query: cursor: ${err.message}` });
      throw err;
    }
  });
}

function view(row: ActivityRow, includeRaw: boolean): ActivityView {
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

function badRequest(reply: FastifyReply, error: z.ZodError) {
  const problems = error.issues
    .map((i) => {
      const unknown = i.code === 'unrecognized_keys' ? `unknown parameter ${i.keys.join(', ')}` : undefined;
      return unknown ?? `${i.path.join('.') || 'query'}: ${i.message}`;
    })
    .join('; ');
  return reply.code(400).send({ error: 'invalid_request', message: `Invalid query: ${problems}` });
}
