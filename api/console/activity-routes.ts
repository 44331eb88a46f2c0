import { EVENT_KINDS } from '../../domain/file-event';
import { EventLogRepository, type EventLogRow } from '../../store/event-log-repository';
import type { ApiApp } from '../api-app';
import { eventsQuery } from '../events-routes';
import type { ConsoleContext } from './console-routes';
import {
  chooseConnector,
  errorNotice,
  filterForm,
  loadPage,
  nextPageLink,
  pageQuery,
  parseFilters,
  select,
  textInput,
} from './data-page-kit';
import { html, join, type Html } from './pages';
import { sendConsolePage, utc } from './send-page';

/**
 * `/console/activity`: a connector's event log, newest first, with the filters of
 * GET /api/connectors/:id/events (the same schema and repository query): event types, kind, file, user,
 * from/to; keyset pages.
 */
export function registerActivityRoutes(scope: ApiApp, ctx: ConsoleContext): void {
  const eventLog = new EventLogRepository(ctx.store.db);

  scope.get('/activity', async (req, reply) => {
    const query = pageQuery(req);
    const choice = await chooseConnector(ctx, query.connector);
    const form = filterForm('/console/activity', choice, [
      textInput('type', 'Event types (comma-separated)', query.type, 'EDIT, SHARE'),
      select('kind', 'Kind', [['', 'any'], ...EVENT_KINDS.map((k) => [k, k] as const)], query.kind),
      textInput('fileId', 'File (Box file id)', query.fileId),
      textInput('user', 'User (login or id)', query.user),
      textInput('from', 'From (ISO date or date-time, UTC)', query.from, '2026-12-01'),
      textInput('to', 'To', query.to, '2026-12-03T12:00:00Z'),
    ]);
    const send = (content: Html) =>
      sendConsolePage(req, reply, {
        title: 'Activity log',
        section: 'activity',
        body: html`${form}${content}`,
      });
    if (choice.error) return send(errorNotice(choice.error));
    if (!choice.chosen)
      return send(
        html`<p id="no-connector">
          No connector yet: connect one in <a href="/console/apps">Connected apps</a>.
        </p>`,
      );
    const filters = parseFilters(eventsQuery, query);
    if (!filters.ok) return send(errorNotice(filters.message));
    const q = filters.value;
    const connectorId = choice.chosen.id;
    const page = await loadPage(() =>
      eventLog.query(connectorId, {
        types: q.type,
        kinds: q.kind,
        fileId: q.fileId,
        user: q.user,
        from: q.from,
        to: q.to,
        cursor: q.cursor,
        limit: q.limit,
        order: q.order,
      }),
    );
    if ('error' in page) return send(errorNotice(page.error));
    const rows = page.items.map(eventRow);
    return send(
      html`${
        rows.length
          ? html`<table id="events">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Event</th>
                  <th>Kind</th>
                  <th>File</th>
                  <th>User</th>
                  <th>Source</th>
                </tr>
              </thead>
              <tbody>
                ${join(rows)}
              </tbody>
            </table>`
          : html`<p id="no-events">No events match these filters.</p>`
      }
      ${nextPageLink('/console/activity', query, page.nextCursor)}`,
    );
  });
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
