import { z } from 'zod';
import { GOVERNANCE_STATES } from '../../domain/governance';
import { GovernanceRepository, type GovernanceActionRow } from '../../store/governance-repository';
import { InventoryRepository, type FileRow } from '../../store/inventory-repository';
import type { ApiApp } from '../api-app';
import { recordAudit } from '../audit';
import { decideGovernanceAction } from '../governance-decisions';
import { governanceActionsQuery } from '../governance-routes';
import { PROBLEMS, ProblemError } from '../problem';
import type { ConsoleContext } from './console-routes';
import {
  backTo,
  canAct,
  chooseConnector,
  postFields,
  requireAnalyst,
  select,
  textInput,
  type PageQuery,
  listTable,
  sendListPage,
} from './data-page-kit';
import { html, type Html } from './pages';
import { utc } from './send-page';

const formFields = {
  _csrf: z.string().max(200).optional(),
  connector: z.string().min(1).max(64),
  back: z.string().max(2000).optional(),
};
const approveForm = z.object({ ...formFields, note: z.string().trim().max(1000).optional() });
const rejectForm = z.object({
  ...formFields,
  reason: z.string().trim().min(1, 'say why it is rejected').max(1000, 'at most 1,000 characters'),
});
const actionParams = z.object({ actionId: z.string().uuid('an action id (a UUID)') });

/**
 * `/console/governance`: a connector's governance actions (docs/governance.md) with the filters of
 * GET /api/connectors/:id/governance/actions; an analyst approves (optional note) or rejects (reason) an
 * action awaiting approval through decideGovernanceAction, the service of the API's routes (the
 * workflow's Update), recorded with the signed-in user as its approver.
 */
export function registerGovernanceRoutes(scope: ApiApp, ctx: ConsoleContext): void {
  const repo = new GovernanceRepository(ctx.store.db);
  const inventory = new InventoryRepository(ctx.store.db);

  scope.get('/governance', async (req, reply) =>
    sendListPage(req, reply, ctx, {
      title: 'Governance',
      section: 'governance',
      path: '/console/governance',
      fields: (query) => [
        select(
          'state',
          'State',
          [['', 'any'], ...GOVERNANCE_STATES.map((s) => [s, s] as const)],
          query.state,
        ),
        textInput('policy', 'Policy (id)', query.policy),
        textInput('file', 'File (Box file id)', query.file),
      ],
      schema: governanceActionsQuery,
      load: (connectorId, { file, ...q }) => repo.list(connectorId, { ...q, fileId: file }),
      render: async (page, { connectorId, query, csrf }) => {
        const files = await inventory.getMany(
          connectorId,
          page.items.map((a) => a.file_id),
        );
        const act = canAct(req) ? { csrf, connectorId, query } : undefined;
        return listTable(
          'actions',
          ['Created', 'File', 'Action', 'Policy', 'State', ''],
          page.items.map((a) => actionRow(a, files.get(a.file_id), act)),
          { id: 'no-actions', text: 'No governance actions match these filters.' },
        );
      },
    }),
  );

  for (const approve of [true, false])
    scope.post(
      `/governance/:actionId/${approve ? 'approve' : 'reject'}`,
      { schema: { params: actionParams, body: approve ? approveForm : rejectForm } },
      async (req, reply) => {
        const verb = approve ? 'approve' : 'reject';
        requireAnalyst(req, `${verb} governance actions`);
        const body = req.body as z.infer<typeof approveForm> & Partial<z.infer<typeof rejectForm>>;
        const connector = await chooseConnector(ctx, body.connector);
        if (!connector.chosen) throw new ProblemError('not-found', connector.error ?? 'No such connector.');
        const target = req.params.actionId;
        const row = await repo.get(connector.chosen.id, target);
        if (!row) throw new ProblemError('not-found', `No governance action '${target}' on this connector.`);
        const reason = approve ? body.note || undefined : body.reason;
        const detail = {
          connectorId: row.connector_id,
          fileId: row.file_id,
          kind: row.kind,
          ...(reason && { reason }),
        };
        try {
          await decideGovernanceAction({ repo, temporal: ctx.temporal }, row, approve, {
            approver: req.consoleSession!.user.login,
            ...(reason && { reason }),
          });
        } catch (err) {
          if (err instanceof ProblemError)
            await recordAudit(req, {
              action: `governance.${verb}`,
              target,
              outcome: 'failed',
              status: err.extra.status ?? PROBLEMS[err.code].status,
              detail: { ...detail, problem: err.detail },
            });
          throw err;
        }
        await recordAudit(req, { action: `governance.${verb}`, target, outcome: 'ok', status: 303, detail });
        return reply.redirect(backTo('/console/governance', body.back), 303);
      },
    );
}

function actionRow(
  a: GovernanceActionRow,
  file: FileRow | undefined,
  actions?: { csrf: string; connectorId: string; query: PageQuery },
): Html {
  const forms =
    actions && a.state === 'awaiting-approval'
      ? html`<form class="approve" method="post" action="/console/governance/${a.id}/approve">
            ${postFields(actions.csrf, actions.connectorId, actions.query)}
            <input type="text" name="note" placeholder="note (optional)" maxlength="1000" />
            <button type="submit" class="approve-button">Approve</button>
          </form>
          <form class="reject" method="post" action="/console/governance/${a.id}/reject">
            ${postFields(actions.csrf, actions.connectorId, actions.query)}
            <input type="text" name="reason" placeholder="why it is rejected" required maxlength="1000" />
            <button type="submit" class="reject-button">Reject</button>
          </form>`
      : html``;
  const decided = a.approver
    ? html`<br /><small class="approver"
          >${a.state === 'rejected' ? 'rejected' : 'approved'} by
          ${a.approver}${a.decided_at ? html`, ${utc(new Date(a.decided_at))}` : html``}</small
        >`
    : html``;
  return html`<tr data-action-id="${a.id}" data-file-id="${a.file_id}">
    <td>${utc(new Date(a.created_at))}</td>
    <td class="file">${file?.name ?? a.file_id}<br /><small>${file?.path ?? a.file_id}</small></td>
    <td class="kind">${a.kind}${a.dry_run === 1 ? ' (dry run)' : ''}<br /><small>${a.mode}</small></td>
    <td class="policy">${a.policy_id ?? '-'}</td>
    <td>
      <span class="state">${a.state}</span>${decided}${
        a.reason ? html`<br /><small class="reason">${a.reason}</small>` : html``
      }${a.outcome ? html`<br /><small class="outcome">${a.outcome}</small>` : html``}
    </td>
    <td>${forms}</td>
  </tr>`;
}
