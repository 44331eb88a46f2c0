import { ACCESS_LEVELS, SEVERITIES, SHARED_LINK_ACCESSES } from '../../policies';
import { InventoryRepository, type FileRow } from '../../store/inventory-repository';
import type { ApiApp } from '../api-app';
import { filesQuery, toFileView } from '../scan-routes';
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

const any = (values: readonly string[]) => [['', 'any'] as const, ...values.map((v) => [v, v] as const)];

/**
 * `/console/files`: the inventory of a connector, filtered as GET /api/connectors/:id/files is (the same
 * schema and repository function): access level, shared link, owner, policy, severity, collaborator domain,
 * name; keyset pages.
 */
export function registerFilesRoutes(scope: ApiApp, ctx: ConsoleContext): void {
  const inventory = new InventoryRepository(ctx.store.db);

  scope.get('/files', async (req, reply) => {
    const query = pageQuery(req);
    const choice = await chooseConnector(ctx, query.connector);
    const form = filterForm('/console/files', choice, [
      select('accessLevel', 'Access level', any(ACCESS_LEVELS), query.accessLevel),
      select('sharedLink', 'Shared link', any([...SHARED_LINK_ACCESSES, 'none']), query.sharedLink),
      textInput('owner', 'Owner (login)', query.owner, 'ann@example.com'),
      textInput('policy', 'Policy (id; files with an open finding of it)', query.policy),
      select('severity', 'Severity (of an open finding)', any(SEVERITIES), query.severity),
      textInput('domain', 'Collaborator domain (external)', query.domain, 'partner.com'),
      textInput('name', 'Name contains', query.name),
    ]);
    const send = (content: Html) =>
      sendConsolePage(req, reply, { title: 'Files', section: 'files', body: html`${form}${content}` });
    if (choice.error) return send(errorNotice(choice.error));
    if (!choice.chosen)
      return send(
        html`<p id="no-connector">
          No connector yet: connect one in <a href="/console/apps">Connected apps</a>.
        </p>`,
      );
    const filters = parseFilters(filesQuery, query);
    if (!filters.ok) return send(errorNotice(filters.message));
    const connectorId = choice.chosen.id;
    const page = await loadPage(() => inventory.list(connectorId, filters.value));
    if ('error' in page) return send(errorNotice(page.error));
    const rows = page.items.map((f) => fileRow(connectorId, f));
    return send(
      html`${
        rows.length
          ? html`<table id="files">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Owner</th>
                  <th>Access level</th>
                  <th>Shared link</th>
                  <th>External domains</th>
                  <th>Inspection</th>
                  <th>Last scanned</th>
                </tr>
              </thead>
              <tbody>
                ${join(rows)}
              </tbody>
            </table>`
          : html`<p id="no-files">No files on this page match these filters.</p>`
      }
      ${
        page.nextCursor !== undefined && rows.length === 0
          ? html`<p class="notice">
              None of the files looked through so far match; there are more to look through.
            </p>`
          : html``
      }
      ${nextPageLink('/console/files', query, page.nextCursor)}`,
    );
  });
}

function fileRow(connectorId: string, row: FileRow): Html {
  const f = toFileView(row);
  const findings = new URLSearchParams({ connector: connectorId, file: f.fileId }).toString();
  return html`<tr data-file-id="${f.fileId}">
    <td class="name" title="${f.path}">${f.name}<br /><small>${f.path}</small></td>
    <td class="owner">${f.owner.login}</td>
    <td class="access-level">${f.accessLevel}</td>
    <td class="shared-link">${f.sharedLinkAccess ?? 'none'}</td>
    <td class="domains">${f.collaborators.externalDomains.join(', ') || '-'}</td>
    <td class="inspection">${f.inspection.status}</td>
    <td>
      ${f.lastScannedAt ? utc(new Date(f.lastScannedAt)) : 'not yet'} <br /><a
        class="file-findings"
        href="/console/findings?${findings}"
        >findings</a
      >
    </td>
  </tr>`;
}
