import { DATA_CENTERS } from '../../domain/data-centers';
import type { ApiTestReport } from '../../domain/connector-status';
import type { AuthorizeLink, ConnectorView } from '../connectors-service';
import { csrfField, html, join, type Html } from './pages';
import { utc } from './send-page';

/** How a status is coloured: green, amber, red, blue while something runs, grey when it is over. */
export type Tone = 'ok' | 'warning' | 'error' | 'pending' | 'off';

const TONES: Record<string, Tone> = {
  Connected: 'ok',
  AwaitingAuthorization: 'pending',
  Authorizing: 'pending',
  RunningApiTest: 'pending',
  AuthorizationExpired: 'error',
  ApiTestFailed: 'error',
  NeedsReauthorization: 'error',
  Disconnected: 'off',
};

/** The tone of a connector status (a co-admin's connection is Connected with a warning). */
export function statusTone(status: string, apiTest?: Pick<ApiTestReport, 'outcome'>): Tone {
  if (status === 'Connected' && apiTest?.outcome === 'passedWithWarning') return 'warning';
  return TONES[status] ?? 'pending';
}

/** The style of the apps pages (appended to the console's). */
export const APPS_STYLE = html`<style>
  .tone {
    display: inline-block;
    padding: 0.1rem 0.5rem;
    border-radius: 4px;
    font-weight: 600;
  }
  .tone-ok,
  .check-passed {
    background: #dff3e4;
    color: #17663a;
  }
  .tone-warning,
  .check-warning {
    background: #fff3cd;
    color: #7a5a00;
  }
  .tone-error,
  .check-failed {
    background: #fbe3e4;
    color: #a3262a;
  }
  .tone-pending {
    background: #e3eefb;
    color: #1d4f91;
  }
  .tone-off {
    background: #eee;
    color: #555;
  }
  progress {
    width: 20rem;
    max-width: 100%;
  }
  a.button {
    display: inline-block;
    padding: 0.35rem 0.9rem;
    border: 1px solid #1d4f91;
    border-radius: 4px;
    text-decoration: none;
  }
</style>`;

/** A status as a coloured label (`data-tone` says the colour to tests). */
export function badge(status: string, tone: Tone, id?: string): Html {
  return id
    ? html`<span class="tone tone-${tone}" id="${id}" data-tone="${tone}">${status}</span>`
    : html`<span class="tone tone-${tone}" data-tone="${tone}">${status}</span>`;
}

/** The list of connectors, with the wizard's entry for an admin. */
export function appsListBody(items: ConnectorView[], canConnect: boolean, notice?: string): Html {
  const rows = items.map(
    (c) =>
      html`<tr data-connector-id="${c.id}">
        <td><a class="app-link" href="/console/apps/${c.id}">${c.instanceName}</a></td>
        <td>${c.dataCenter}</td>
        <td>${badge(c.status, statusTone(c.status))}</td>
        <td class="message">${c.message}</td>
        <td>${utc(new Date(c.updatedAt))}</td>
      </tr>`,
  );
  const connect = canConnect
    ? html`<p><a class="button" id="connect-new" href="/console/apps/new">Connect Box</a></p>`
    : html`<p id="viewer-note">Connecting, re-authorizing and disconnecting need the admin role.</p>`;
  return html`${notice ? html`<p class="notice" id="notice">${notice}</p>` : html``}${connect}
  ${
    rows.length
      ? html`<table id="apps">
          <thead>
            <tr>
              <th>Instance</th>
              <th>Data centre</th>
              <th>Status</th>
              <th>Message</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            ${join(rows)}
          </tbody>
        </table>`
      : html`<p id="no-apps">No Box enterprise is connected yet.</p>`
  }`;
}

/** Step 1 of the wizard: the instance name and the data centre (values kept, errors named). */
export function connectFormBody(
  csrf: string,
  configured: ReadonlySet<string>,
  input: { instanceName?: string; dataCenter?: string; errors?: string[] } = {},
): Html {
  const errors = input.errors?.length
    ? html`<div class="error-text" id="form-errors" role="alert">
        ${join(input.errors.map((e) => html`<p>${e}</p>`))}
      </div>`
    : html``;
  const chosen = input.dataCenter ?? DATA_CENTERS.find((dc) => configured.has(dc)) ?? DATA_CENTERS[0];
  return html`<p>Step 1 of 2: name this connection and choose the Box data centre of the enterprise.</p>
    ${errors}
    <form method="post" action="/console/apps" id="connect-form">
      ${csrfField(csrf)} <label for="instanceName">Instance name</label
      ><input
        type="text"
        id="instanceName"
        name="instanceName"
        maxlength="100"
        value="${input.instanceName ?? ''}"
        required
      />
      <label for="dataCenter">Data centre</label
      ><select id="dataCenter" name="dataCenter">
        ${join(
          DATA_CENTERS.map((dc) => {
            const label = configured.has(dc) ? dc : `${dc} (no Box app configured)`;
            return dc === chosen
              ? html`<option value="${dc}" selected>${label}</option>`
              : html`<option value="${dc}">${label}</option>`;
          }),
        )}
      </select>
      <div><button id="next-step" type="submit">Next</button></div>
    </form>
    <p><a href="/console/apps">Cancel</a></p>`;
}

/** Step 2 of the wizard (and re-authorization): the link to Box's consent page. */
export function authorizeBody(
  connector: Pick<ConnectorView, 'id' | 'instanceName'>,
  link: AuthorizeLink,
): Html {
  return html`<p>
      Step 2 of 2: open Box's consent page as a <strong>Box admin</strong> of the enterprise and allow access.
      Box then sends you back to connect-box, which runs the API test.
    </p>
    <p><a class="button" id="connect-box" href="${link.authorizeUrl}">Connect Box</a></p>
    <p>
      The link is for <strong>${connector.instanceName}</strong> only, works once, and expires at
      <span id="authorize-expires">${utc(new Date(link.authorizeUrlExpiresAt))}</span>.
    </p>
    <p><a id="connector-link" href="/console/apps/${connector.id}">Go to the connector's page</a></p>`;
}

/** The confirmation page of a disconnect. */
export function disconnectConfirmBody(connector: ConnectorView, csrf: string): Html {
  return html`<p>
      Disconnect <strong>${connector.instanceName}</strong>? Its scan, backfill and event stream stop, the
      webhooks no other connector needs are removed from Box, and its Box token is revoked. This cannot be
      undone: to connect the enterprise again, create a new connector.
    </p>
    <form method="post" action="/console/apps/${connector.id}/disconnect" id="disconnect-form">
      ${csrfField(csrf)}<input type="hidden" name="confirm" value="yes" />
      <button id="confirm-disconnect" type="submit">Disconnect</button>
    </form>
    <p><a href="/console/apps/${connector.id}">Cancel</a></p>`;
}
