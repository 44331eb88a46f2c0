import { ACCESS_LEVELS, SEVERITIES, SHARED_LINK_ACCESSES } from '../../policies';
import { InventoryRepository, type FileRow } from '../../store/inventory-repository';
import type { ApiApp } from '../api-app';
import { filesQuery, toFileView } from '../scan-routes';
import type { ConsoleContext } from './console-routes';
import { select, textInput, listTable, sendListPage } from './data-page-kit';
import { html, type Html } from './pages';
import { utc } from './send-page';

const any = (values: readonly string[]) => [['', 'any'] as const, ...values.map((v) => [v, v] as const)];

/**
 * `/console/files`: the inventory of a connector, filtered as GET /api/connectors/:id/files is (the same
 * schema and repository function): access level, shared link, owner, policy, severity, collaborator domain,
 * name; keyset pages.
 */
export function registerFilesRoutes(scope: ApiApp, ctx: ConsoleContext): void {
  const inventory = new InventoryRepository(ctx.store.db);

  scope.get('/files', async (req, reply) =>
    sendListPage(req, reply, ctx, {
      title: 'Files',
      section: 'files',
      path: '/console/files',
      fields: (query) => [
        select('accessLevel', 'Access level', any(ACCESS_LEVELS), query.accessLevel),
        select('sharedLink', 'Shared link', any([...SHARED_LINK_ACCESSES, 'none']), query.sharedLink),
        textInput('owner', 'Owner (login)', query.owner, 'ann@example.com'),
        textInput('policy', 'Policy (id; files with an open finding of it)', query.policy),
        select('severity', 'Severity (of an open finding)', any(SEVERITIES), query.severity),
        textInput('domain', 'Collaborator domain (external)', query.domain, 'partner.com'),
        textInput('name', 'Name contains', query.name),
      ],
      schema: filesQuery,
      load: (connectorId, filters) => inventory.list(connectorId, filters),
      render: (page, { connectorId }) => {
        const rows = page.items.map((f) => fileRow(connectorId, f));
        const table = listTable(
          'files',
          ['Name', 'Owner', 'Access level', 'Shared link', 'External domains', 'Inspection', 'Last scanned'],
          rows,
          { id: 'no-files', text: 'No files on this page match these filters.' },
        );
        // A page reads a bounded window of the index: with selective filters it may hold none yet.
        return page.nextCursor !== undefined && rows.length === 0
          ? html`${table}
              <p class="notice">
                None of the files looked through so far match; there are more to look through.
              </p>`
          : table;
      },
    }),
  );
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
