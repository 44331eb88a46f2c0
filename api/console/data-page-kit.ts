import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { roleAllows } from '../../domain/roles';
import { ConnectorsRepository, type ConnectorRecord } from '../../store/connectors-repository';
import { InvalidCursorError } from '../../store/event-log-repository';
import { ProblemError } from '../problem';
import type { ConsoleContext } from './console-routes';
import { csrfField, html, join, type ConsoleSection, type Html } from './pages';
import { csrfOf, sendConsolePage } from './send-page';

/**
 * What the console's data pages (files, findings, activity log, governance) share: the connector picker
 * (`?connector=`), filters read from a GET form (bad values give the page back with a message, never a
 * 500), a next-page link that keeps the filters, and the analyst check of their POST forms.
 */

/** The query of a data page: its filters as the form sent them (empty fields dropped). */
export type PageQuery = Record<string, string>;

/** The query string of a request as a flat record of non-empty strings (the last value of a repeated key). */
export function pageQuery(req: FastifyRequest): PageQuery {
  const out: PageQuery = {};
  for (const [key, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    const last = Array.isArray(value) ? (value[value.length - 1] as unknown) : value;
    if (typeof last === 'string' && last.trim() !== '') out[key] = last.trim();
  }
  return out;
}

/** The connectors to choose from and the chosen one (`?connector=`, else the newest active one). */
export interface ConnectorChoice {
  connectors: ConnectorRecord[];
  chosen?: ConnectorRecord;
  /** Set when `?connector=` names no connector. */
  error?: string;
}

/** Picks the connector of a data page. */
export async function chooseConnector(ctx: ConsoleContext, id: string | undefined): Promise<ConnectorChoice> {
  const connectors = await new ConnectorsRepository(ctx.store.db).list();
  if (id !== undefined) {
    const chosen = connectors.find((c) => c.id === id);
    return chosen
      ? { connectors, chosen }
      : { connectors, error: `There is no connector with id '${id}': choose one in the list.` };
  }
  return { connectors, chosen: connectors.find((c) => c.active === 1) ?? connectors[0] };
}

/** A select element: `options` as [value, label]; the empty value means "any". */
export function select(
  name: string,
  label: string,
  options: ReadonlyArray<readonly [string, string]>,
  value: string | undefined,
): Html {
  return html`<label for="${name}">${label}</label
    ><select id="${name}" name="${name}">
      ${join(
        options.map(([v, text]) =>
          v === (value ?? '')
            ? html`<option value="${v}" selected>${text}</option>`
            : html`<option value="${v}">${text}</option>`,
        ),
      )}
    </select>`;
}

/** A text input of a filter form. */
export function textInput(name: string, label: string, value: string | undefined, placeholder = ''): Html {
  return html`<label for="${name}">${label}</label
    ><input type="text" id="${name}" name="${name}" value="${value ?? ''}" placeholder="${placeholder}" />`;
}

/** The connector picker: the first field of every data page's filter form. */
export function connectorField(choice: ConnectorChoice): Html {
  return select(
    'connector',
    'Connector',
    choice.connectors.map((c) => [c.id, `${c.instance_name} (${c.status}, ${c.id})`] as const),
    choice.chosen?.id,
  );
}

/** A GET filter form of a data page: the connector picker, the page's fields, a submit button. */
export function filterForm(action: string, choice: ConnectorChoice, fields: Html[]): Html {
  return html`<form method="get" action="${action}" id="filters">
    ${connectorField(choice)} ${join(fields)}
    <div><button id="apply-filters" type="submit">Show</button> <a href="${action}">Clear filters</a></div>
  </form>`;
}

/** The filters of a page checked against the API's schema of the same list; the errors as one message. */
export function parseFilters<S extends z.ZodType>(
  schema: S,
  query: PageQuery,
): { ok: true; value: z.infer<S> } | { ok: false; message: string } {
  const { connector: _, ...filters } = query;
  const parsed = schema.safeParse(filters);
  if (parsed.success) return { ok: true, value: parsed.data };
  const message = parsed.error.issues
    .map((i) => {
      const field = i.path.join('.');
      if (i.code === 'unrecognized_keys') return `unknown filter ${i.keys.join(', ')}`;
      return `${field || 'filters'}: ${i.message}`;
    })
    .join('; ');
  return { ok: false, message: `These filters are not valid: ${message}. Correct them and show again.` };
}

/** Loads a page of a list; a cursor that is not this list's gives a message instead of a 500. */
export async function loadPage<T>(
  load: () => Promise<{ items: T[]; nextCursor?: string }>,
): Promise<{ items: T[]; nextCursor?: string } | { error: string }> {
  try {
    return await load();
  } catch (err) {
    if (!(err instanceof InvalidCursorError)) throw err;
    return {
      error: 'This page link is not valid for these filters (its cursor): start again from the first page.',
    };
  }
}

/** A message above a page's list: what went wrong with the filters or the picker. */
export function errorNotice(message: string): Html {
  return html`<p class="notice error-text" id="filter-error" role="alert">${message}</p>`;
}

/** The link to the next page (the same filters and the cursor), or nothing on the last page. */
export function nextPageLink(path: string, query: PageQuery, nextCursor: string | undefined): Html {
  if (nextCursor === undefined) return html``;
  const params = new URLSearchParams({ ...query, cursor: nextCursor });
  return html`<p><a id="next-page" href="${path}?${params.toString()}">Next page</a></p>`;
}

/** Whether the signed-in user may act on findings and governance (analyst or admin). */
export function canAct(req: FastifyRequest): boolean {
  return roleAllows(req.consoleSession!.user.role, 'analyst');
}

/** Refuses a POST of a data page to a user who may not act (a viewer): a 403 problem page. */
export function requireAnalyst(req: FastifyRequest, what: string): void {
  if (!canAct(req))
    throw new ProblemError(
      'forbidden',
      `Only an analyst or an admin may ${what}; you are signed in as a ${req.consoleSession!.user.role}.`,
    );
}

/**
 * Where a data page's POST form goes back to: the page's own query (sent as the hidden `back` field),
 * re-serialized so that it can only ever be a query of that page.
 */
export function backTo(path: string, back: string | undefined): string {
  const params = new URLSearchParams(back ?? '');
  params.delete('cursor');
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** The hidden fields of a data page's POST form: CSRF token, connector, the page's query to go back to. */
export function postFields(csrf: string, connectorId: string, query: PageQuery): Html {
  return html`${csrfField(csrf)}<input type="hidden" name="connector" value="${connectorId}" /><input
      type="hidden"
      name="back"
      value="${new URLSearchParams(query).toString()}"
    />`;
}

/** A list as a table with `headers`, or the paragraph `empty` (with id `emptyId`) when it has no rows. */
export function listTable(
  id: string,
  headers: readonly string[],
  rows: Html[],
  empty: { id: string; text: string },
): Html {
  if (rows.length === 0) return html`<p id="${empty.id}">${empty.text}</p>`;
  return html`<table id="${id}">
    <thead>
      <tr>
        ${join(headers.map((h) => html`<th>${h}</th>`))}
      </tr>
    </thead>
    <tbody>
      ${join(rows)}
    </tbody>
  </table>`;
}

/** One list page of a data section: what differs from one section to the next. */
export interface ListPageSpec<S extends z.ZodType, T> {
  title: string;
  section: ConsoleSection;
  /** The page's path, the filter form's action and the next-page link's. */
  path: string;
  /** The filter inputs, filled from the query. */
  fields: (query: PageQuery) => Html[];
  /** The API's schema of the same list's query. */
  schema: S;
  load: (connectorId: string, filters: z.infer<S>) => Promise<{ items: T[]; nextCursor?: string }>;
  /** The page's list; `csrf` is for the forms of its rows. */
  render: (
    page: { items: T[]; nextCursor?: string },
    context: { connectorId: string; query: PageQuery; csrf: string },
  ) => Html | Promise<Html>;
}

/**
 * Sends a data section's list page: the connector picker and the filters, then one page of the chosen
 * connector's list and the next-page link. No connector, an unknown one, bad filters or a cursor that is
 * not this list's give the page back with a message.
 */
export async function sendListPage<S extends z.ZodType, T>(
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: ConsoleContext,
  spec: ListPageSpec<S, T>,
): Promise<FastifyReply> {
  const query = pageQuery(req);
  const choice = await chooseConnector(ctx, query.connector);
  const form = filterForm(spec.path, choice, spec.fields(query));
  const csrf = csrfOf(req, reply);
  const send = (content: Html) =>
    sendConsolePage(req, reply, {
      title: spec.title,
      section: spec.section,
      csrf,
      body: html`${form}${content}`,
    });
  if (choice.error) return send(errorNotice(choice.error));
  if (!choice.chosen)
    return send(
      html`<p id="no-connector">
        No connector yet: connect one in <a href="/console/apps">Connected apps</a>.
      </p>`,
    );
  const filters = parseFilters(spec.schema, query);
  if (!filters.ok) return send(errorNotice(filters.message));
  const connectorId = choice.chosen.id;
  const page = await loadPage(() => spec.load(connectorId, filters.value));
  if ('error' in page) return send(errorNotice(page.error));
  const list = await spec.render(page, { connectorId, query, csrf });
  return send(html`${list}${nextPageLink(spec.path, query, page.nextCursor)}`);
}
