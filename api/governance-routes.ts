import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { startGovernanceWorkflow } from '../common/governance-workflow';
import { workflowIds } from '../common/workflow-ids';
import type { Config } from '../config/config';
import type { DataCenter } from '../domain/data-centers';
import {
  GOVERNANCE_ACTION_KINDS,
  GOVERNANCE_STATES,
  type ExpectedFileState,
  type GovernanceActionKind,
} from '../domain/governance';
import { parseGovernanceParams } from '../policies';
import type { Store } from '../store/database';
import {
  GovernanceRepository,
  type GovernanceActionRow,
  type GovernanceAuditRow,
} from '../store/governance-repository';
import { InventoryRepository } from '../store/inventory-repository';
import { SCAN_PAGE } from '../store/page-cursor';
import type { GovernanceDecision } from '../workflows/governance-action-messages';
import { answerPage, pageOf, pagingQuery, type ApiApp } from './api-app';
import { auditDetail, auditTarget } from './audit';
import { connectorOf } from './connector-scope';
import { decideGovernanceAction } from './governance-decisions';
import { principalOf } from './principal';
import { ProblemError, problemResponses } from './problem';

/** What the governance routes need. */
export interface GovernanceRoutesDeps {
  config: Pick<Config, 'temporal'>;
  store: Store;
  temporal: Client;
}

const actionId = z.string().uuid('an action id (a UUID)');
const fileId = z.string().regex(/^[0-9]{1,20}$/, 'a Box file id (digits)');
const policyId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'a policy id (lower-case letters, digits, dashes)');

/** Query of GET /api/connectors/:id/governance/actions. */
export const governanceActionsQuery = z.strictObject({
  state: z.enum(GOVERNANCE_STATES, { message: `one of ${GOVERNANCE_STATES.join(', ')}` }).optional(),
  policy: policyId.optional(),
  file: fileId.optional().describe('Only actions on this file'),
  ...pagingQuery(SCAN_PAGE),
});

/** An audit entry as the API shows it. */
export const governanceAuditView = z
  .object({
    actionId: z.string(),
    step: z.number(),
    fileId: z.string(),
    at: z.string(),
    event: z.string().describe('recorded, awaiting-approval, approved, rejected, expired, acting, done, ...'),
    actor: z.string().describe('`policy:<id>`, `system`, or the login of a person'),
    detail: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'GovernanceAuditEntry' });

/** A governance action as the API shows it. */
export const governanceActionView = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    fileId: z.string(),
    kind: z.enum(GOVERNANCE_ACTION_KINDS),
    params: z.record(z.string(), z.unknown()),
    policyId: z.string().nullable(),
    findingId: z.string().nullable(),
    mode: z.string().describe('automatic, approval or manual'),
    dryRun: z.boolean(),
    state: z.enum(GOVERNANCE_STATES),
    reason: z.string().nullable(),
    requestedBy: z.string(),
    approver: z.string().nullable(),
    decidedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    before: z.unknown().describe("The file's state before acting (shared link, collaborations, folder)"),
    after: z.unknown().describe("The file's state after acting"),
    outcome: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'GovernanceAction' });

type ActionView = z.infer<typeof governanceActionView>;

const decisionBody = z.strictObject({
  note: z.string().max(1000).optional().describe('Why it is approved (kept in the audit trail)'),
});
const rejectionBody = z.strictObject({
  reason: z.string().trim().min(1, 'say why it is rejected').max(1000),
});
const manualBody = z.strictObject({
  kind: z.enum(GOVERNANCE_ACTION_KINDS, { message: `one of ${GOVERNANCE_ACTION_KINDS.join(', ')}` }),
  params: z.record(z.string(), z.unknown()).optional(),
  dryRun: z.boolean().default(false),
});
const restoreBody = z.strictObject({ dryRun: z.boolean().default(false) }).default({ dryRun: false });

/**
 * Governance in the connector scope (docs/governance.md): the actions (list, one with its audit trail,
 * approve, reject), a manual action on a file, a restore from quarantine or the trash, and a file's audit
 * trail. Approve and reject execute the action workflow's Update and answer with the state it recorded.
 */
export function registerGovernanceRoutes(app: ApiApp, deps: GovernanceRoutesDeps): void {
  const repo = new GovernanceRepository(deps.store.db);
  const inventory = new InventoryRepository(deps.store.db);

  const actionOf = async (req: FastifyRequest, id: string) => {
    const row = await repo.get(connectorOf(req).id, id);
    if (!row) throw new ProblemError('not-found', `No governance action '${id}' on this connector.`);
    return row;
  };

  app.get(
    '/governance/actions',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Governance actions, newest first',
        tags: ['governance'],
        querystring: governanceActionsQuery,
        response: { 200: pageOf(governanceActionView), ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    (req) =>
      answerPage(
        () =>
          repo.list(connectorOf(req).id, {
            state: req.query.state,
            policy: req.query.policy,
            fileId: req.query.file,
            cursor: req.query.cursor,
            limit: req.query.limit,
          }),
        toView,
      ),
  );

  app.get(
    '/governance/actions/:actionId',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'One governance action with its audit trail',
        tags: ['governance'],
        params: z.object({ actionId }),
        response: {
          200: governanceActionView.extend({ audit: z.array(governanceAuditView) }),
          ...problemResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (req) => {
      const row = await actionOf(req, req.params.actionId);
      return { ...toView(row), audit: (await repo.auditOf(row.id)).map(toAuditView) };
    },
  );

  const decide =
    (approve: boolean) => async (req: FastifyRequest, id: string, decision: GovernanceDecision) => {
      const row = await actionOf(req, id);
      auditTarget(req, id);
      auditDetail(req, {
        fileId: row.file_id,
        kind: row.kind,
        ...(decision.reason && { reason: decision.reason }),
      });
      return toView(await decideGovernanceAction({ repo, temporal: deps.temporal }, row, approve, decision));
    };

  app.post(
    '/governance/actions/:actionId/approve',
    {
      config: { role: 'analyst', action: 'governance.approve' },
      schema: {
        summary: 'Approve an action awaiting approval (it acts next); you are recorded as its approver',
        description:
          'Answers the action as the store holds it once the approval is accepted: `approved`, or already ' +
          '`running` (or `done`) when the workflow acted at once.',
        tags: ['governance'],
        params: z.object({ actionId }),
        body: decisionBody.optional(),
        response: { 200: governanceActionView, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    (req) =>
      decide(true)(req, req.params.actionId, {
        approver: principalOf(req).login,
        ...(req.body?.note && { reason: req.body.note }),
      }),
  );

  app.post(
    '/governance/actions/:actionId/reject',
    {
      config: { role: 'analyst', action: 'governance.reject' },
      schema: {
        summary: 'Reject an action awaiting approval (Box is left untouched), saying why',
        tags: ['governance'],
        params: z.object({ actionId }),
        body: rejectionBody,
        response: { 200: governanceActionView, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    (req) =>
      decide(false)(req, req.params.actionId, { approver: principalOf(req).login, reason: req.body.reason }),
  );

  /** Records a manual action on a file of the inventory and starts its workflow (outbox: the sweeper retries). */
  const requestAction = async (
    req: FastifyRequest,
    file: string,
    kind: GovernanceActionKind,
    params: object,
    dryRun: boolean,
  ): Promise<ActionView> => {
    const connector = connectorOf(req);
    const row = await inventory.get(connector.id, file);
    if (!row) throw new ProblemError('not-found', `No file '${file}' in the inventory of this connector.`);
    const id = randomUUID();
    const now = new Date().toISOString();
    // A manual action checks the file against what the inventory shows (what the person saw); a restore
    // acts on a file connect-box itself moved.
    const expected: ExpectedFileState | null =
      kind === 'restore' || row.deleted_at !== null
        ? null
        : {
            sha1: row.sha1,
            sharedLinkAccess: row.shared_link_access,
            collaborators: (JSON.parse(row.direct_collaborators_json) as string[])
              .filter((c) => !c.startsWith('group:'))
              .map((c) => c.toLowerCase())
              .sort(),
          };
    const requestedBy = principalOf(req).login;
    await repo.record(
      [
        {
          id,
          connectorId: connector.id,
          fileId: file,
          ownerId: row.owner_id,
          kind,
          params,
          mode: 'manual',
          dryRun,
          requestedBy,
          expected,
        },
      ],
      now,
    );
    auditTarget(req, id);
    auditDetail(req, { fileId: file, kind, dryRun });
    try {
      await startGovernanceWorkflow(deps.temporal, {
        connectorId: connector.id,
        actionId: id,
        kind,
        fileId: file,
        mode: 'manual',
        expiresAt: null,
        requestedBy,
        dataCenter: connector.data_center as DataCenter,
        enterpriseId: connector.enterprise_id,
        taskQueue: deps.config.temporal.taskQueues.main,
      });
      await repo.markStarted([id], new Date().toISOString());
    } catch (err) {
      req.log.warn({ err, actionId: id }, 'governance action recorded; its start is left to the sweeper');
    }
    return toView((await repo.get(connector.id, id))!);
  };

  app.post(
    '/files/:fileId/governance',
    {
      config: { role: 'analyst', action: 'governance.request' },
      schema: {
        summary: 'Start a governance action on a file (manual: no approval)',
        tags: ['governance'],
        params: z.object({ fileId }),
        body: manualBody,
        response: { 202: governanceActionView, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req, reply) => {
      const { kind, dryRun } = req.body;
      const parsed = parseGovernanceParams(kind, req.body.params);
      if (!parsed.success)
        throw new ProblemError(
          'invalid-request',
          `Invalid parameters of ${kind}: ${parsed.error.issues.map((i) => `${['params', ...i.path].join('.')}: ${i.message}`).join('; ')}.`,
          {
            errors: parsed.error.issues.map((i) => ({
              in: 'body',
              field: ['params', ...i.path.map(String)].join('.'),
              message: i.message,
            })),
          },
        );
      const view = await requestAction(req, req.params.fileId, kind, parsed.data, dryRun);
      return reply.code(202).send(view);
    },
  );

  app.post(
    '/files/:fileId/restore',
    {
      config: { role: 'analyst', action: 'governance.restore' },
      schema: {
        summary: 'Restore a file connect-box quarantined or trashed (back to the folder it was in)',
        tags: ['governance'],
        params: z.object({ fileId }),
        body: restoreBody.optional(),
        response: { 202: governanceActionView, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (req, reply) => {
      const connectorId = connectorOf(req).id;
      const last = await repo.lastDone(connectorId, req.params.fileId, ['quarantine', 'trash']);
      if (!last)
        throw new ProblemError(
          'conflict',
          `File '${req.params.fileId}' was neither quarantined nor trashed by connect-box: there is nothing to restore.`,
        );
      const view = await requestAction(req, req.params.fileId, 'restore', {}, req.body?.dryRun ?? false);
      return reply.code(202).send(view);
    },
  );

  app.get(
    '/files/:fileId/audit',
    {
      config: { role: 'viewer' },
      schema: {
        summary: "The file's governance audit trail, oldest first",
        tags: ['governance'],
        params: z.object({ fileId }),
        querystring: z.strictObject(pagingQuery(SCAN_PAGE)),
        response: { 200: pageOf(governanceAuditView), ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    (req) =>
      answerPage(() => repo.auditOfFile(connectorOf(req).id, req.params.fileId, req.query), toAuditView),
  );
}

function toView(row: GovernanceActionRow): ActionView {
  return {
    id: row.id,
    workflowId: workflowIds.governance(row.connector_id, row.id),
    fileId: row.file_id,
    kind: row.kind as GovernanceActionKind,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
    policyId: row.policy_id,
    findingId: row.finding_id,
    mode: row.mode,
    dryRun: row.dry_run === 1,
    state: row.state as ActionView['state'],
    reason: row.reason,
    requestedBy: row.requested_by,
    approver: row.approver,
    decidedAt: row.decided_at,
    expiresAt: row.expires_at,
    before: row.before_json === null ? null : (JSON.parse(row.before_json) as unknown),
    after: row.after_json === null ? null : (JSON.parse(row.after_json) as unknown),
    outcome: row.outcome,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toAuditView(row: GovernanceAuditRow): z.infer<typeof governanceAuditView> {
  return {
    actionId: row.action_id,
    step: row.step,
    fileId: row.file_id,
    at: row.at,
    event: row.event,
    actor: row.actor,
    detail: JSON.parse(row.detail_json) as Record<string, unknown>,
  };
}
