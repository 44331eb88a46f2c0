import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { roleAllows } from '../../domain/roles';
import { ConnectorsRepository, type ConnectorRecord } from '../../store/connectors-repository';
import { InvalidCursorError } from '../../store/event-log-repository';
import { ProblemError } from '../problem';
import type { ConsoleContext } from './console-routes';
import { csrfField, html, join, type Html } from './pages';

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
