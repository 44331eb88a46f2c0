import { EVENT_KINDS } from '../../domain/file-event';
import { EventLogRepository, type EventLogRow } from '../../store/event-log-repository';
import type { ApiApp } from '../api-app';
import { eventLogQuery, eventsQuery } from '../events-routes';
import type { ConsoleContext } from './console-routes';
import { select, textInput, listTable, sendListPage } from './data-page-kit';
import { html, type Html } from './pages';
import { utc } from './send-page';

/**
 * `/console/activity`: a connector's event log, newest first, with the filters of
 * GET /api/connectors/:id/events (the same schema and repository query): event types, kind, file, user,
 * from/to; keyset pages.
 */
export function registerActivityRoutes(scope: ApiApp, ctx: ConsoleContext): void {
  const eventLog = new EventLogRepository(ctx.store.db);

  scope.get('/activity', async (req, reply) =>
    sendListPage(req, reply, ctx, {
      title: 'Activity log',
      section: 'activity',
      path: '/console/activity',
      fields: (query) => [
        textInput('type', 'Event types (comma-separated)', query.type, 'EDIT, SHARE'),
        select('kind', 'Kind', [['', 'any'], ...EVENT_KINDS.map((k) => [k, k] as const)], query.kind),
        textInput('fileId', 'File (Box file id)', query.fileId),
        textInput('user', 'User (login or id)', query.user),
        textInput('from', 'From (ISO date or date-time, UTC)', query.from, '2026-12-01'),
        textInput('to', 'To', query.to, '2026-12-03T12:00:00Z'),
      ],
      schema: eventsQuery,
      load: (connectorId, q) => eventLog.query(connectorId, eventLogQuery(q)),
      render: (page) =>
        listTable('events', ['When', 'Event', 'Kind', 'File', 'User', 'Source'], page.items.map(eventRow), {
          id: 'no-events',
          text: 'No events match these filters.',
        }),
    }),
  );
}

function eventRow(e: EventLogRow): Html {
  return html`<tr data-event-id="${e.event_id}">
    <td>${utc(new Date(e.occurred_at))}</td>
    <td class="event-type">${e.event_type}</td>
    <td class="kind">${e.kind ?? '-'}</td>
    <td class="file-id">${e.file_id ?? '-'}</td>
    <td class="user">${e.actor_login ?? e.actor_id ?? '-'}</td>
    <td>${e.source}</td>
  </tr>`;
}
