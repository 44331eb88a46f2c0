import { z } from 'zod';
import { SEVERITIES } from '../../policies';
import { FINDING_STATUSES, FindingsRepository, type FindingWithFile } from '../../store/findings-repository';
import type { ApiApp } from '../api-app';
import { recordAudit } from '../audit';
import { decideFinding } from '../finding-decisions';
import { PROBLEMS, ProblemError } from '../problem';
import { dismissBody, findingsQuery, resolveBody, toFindingView } from '../scan-routes';
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
import { html, join, type Html } from './pages';
import { utc } from './send-page';

const any = (values: readonly string[]) => [['', 'any'] as const, ...values.map((v) => [v, v] as const)];

const formFields = {
  _csrf: z.string().max(200).optional(),
  connector: z.string().min(1).max(64),
  back: z.string().max(2000).optional(),
};
const dismissForm = z.object({ ...formFields, ...dismissBody.shape });
const resolveForm = z.object({ ...formFields, ...resolveBody.shape });
const findingParams = z.object({ findingId: z.string().uuid('a finding id (a UUID)') });

/** A masked sample as the findings store keeps it (never a raw value). */
interface StoredSample {
  detector?: string;
  masked?: string;
  context?: string;
}

/**
 * `/console/findings`: a connector's findings (policy, severity, file, masked samples and their context,
 * status), filtered as GET /api/connectors/:id/findings is; an analyst dismisses (with a reason) or
 * resolves an open one through the same service as the API's POST routes, audited.
 */
export function registerFindingsRoutes(scope: ApiApp, ctx: ConsoleContext): void {
  const findings = new FindingsRepository(ctx.store.db);

  scope.get('/findings', async (req, reply) =>
    sendListPage(req, reply, ctx, {
      title: 'Findings',
      section: 'findings',
      path: '/console/findings',
      fields: (query) => [
        textInput('policy', 'Policy (id)', query.policy),
        select('severity', 'Severity', any(SEVERITIES), query.severity),
        select('status', 'Status', any(FINDING_STATUSES), query.status),
        textInput('file', 'File (Box file id)', query.file),
      ],
      schema: findingsQuery,
      load: (connectorId, { file, ...q }) => findings.list(connectorId, { ...q, fileId: file }),
      render: (page, { connectorId, query, csrf }) => {
        const act = canAct(req) ? { csrf, connectorId, query } : undefined;
        return listTable(
          'findings',
          ['Policy', 'Severity', 'File', 'Samples (masked)', 'Status', ''],
          page.items.map((f) => findingRow(f, act)),
          { id: 'no-findings', text: 'No findings match these filters.' },
        );
      },
    }),
  );

  for (const decision of ['dismiss', 'resolve'] as const)
    scope.post(
      `/findings/:findingId/${decision}`,
      { schema: { params: findingParams, body: decision === 'dismiss' ? dismissForm : resolveForm } },
      async (req, reply) => {
        requireAnalyst(req, `${decision} findings`);
        const body = req.body as z.infer<typeof dismissForm> & z.infer<typeof resolveForm>;
        const connector = await chooseConnector(ctx, body.connector);
        if (!connector.chosen) throw new ProblemError('not-found', connector.error ?? 'No such connector.');
        const reason = body.reason ?? body.note;
        const target = req.params.findingId;
        try {
          const row = await decideFinding(ctx.store, {
            connectorId: connector.chosen.id,
            findingId: target,
            decision,
            login: req.consoleSession!.user.login,
            reason,
          });
          await recordAudit(req, {
            action: `finding.${decision}`,
            target,
            outcome: 'ok',
            status: 303,
            detail: {
              connectorId: row.connector_id,
              fileId: row.file_id,
              policyId: row.policy_id,
              ...(reason && { reason }),
            },
          });
        } catch (err) {
          if (err instanceof ProblemError)
            await recordAudit(req, {
              action: `finding.${decision}`,
              target,
              outcome: 'failed',
              status: err.extra.status ?? PROBLEMS[err.code].status,
              detail: { connectorId: connector.chosen.id, problem: err.detail },
            });
          throw err;
        }
        return reply.redirect(backTo('/console/findings', body.back), 303);
      },
    );
}

function findingRow(
  row: FindingWithFile,
  actions?: { csrf: string; connectorId: string; query: PageQuery },
): Html {
  const f = toFindingView(row);
  const samples = (f.samples as StoredSample[]).map(
    (s) =>
      html`<li>
        <code class="masked">${s.masked ?? ''}</code> <small>${s.detector ?? ''}</small>${
          s.context ? html`<br /><small class="context">${s.context}</small>` : html``
        }
      </li>`,
  );
  const decided = f.decision
    ? html`<br /><small class="decision"
          >by ${f.decision.by},
          ${utc(new Date(f.decision.at))}${f.decision.reason ? html`: ${f.decision.reason}` : html``}</small
        >`
    : html``;
  const forms =
    actions && f.status === 'open'
      ? html`<form class="dismiss" method="post" action="/console/findings/${f.id}/dismiss">
            ${postFields(actions.csrf, actions.connectorId, actions.query)}
            <input type="text" name="reason" placeholder="why it is no problem" required maxlength="1000" />
            <button type="submit" class="dismiss-button">Dismiss</button>
          </form>
          <form class="resolve" method="post" action="/console/findings/${f.id}/resolve">
            ${postFields(actions.csrf, actions.connectorId, actions.query)}
            <button type="submit" class="resolve-button">Resolve</button>
          </form>`
      : html``;
  return html`<tr data-finding-id="${f.id}" data-file-id="${f.fileId}">
    <td class="policy">${f.policyName}<br /><small>${f.policyId}</small></td>
    <td class="severity">${f.severity}</td>
    <td class="file">${f.file.name ?? f.fileId}<br /><small>${f.file.path ?? ''}</small></td>
    <td>
      <ul class="samples">
        ${join(samples)}
      </ul>
    </td>
    <td>
      <span class="status">${f.status}</span>${decided}<br /><small
        >opened ${utc(new Date(f.openedAt))}</small
      >
    </td>
    <td>${forms}</td>
  </tr>`;
}
