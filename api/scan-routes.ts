import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { workflowIds } from '../common/workflow-ids';
import { ACCESS_LEVELS, SEVERITIES, SHARED_LINK_ACCESSES } from '../policies';
import type { Store } from '../store/database';
import { FINDING_STATUSES, FindingsRepository, type FindingWithFile } from '../store/findings-repository';
import { InventoryRepository, type FileRow } from '../store/inventory-repository';
import { SCAN_PAGE } from '../store/page-cursor';
import { rescanNowSignal } from '../workflows/scan-files-messages';
import { answerPage, pageOf, pagingQuery, type ApiApp } from './api-app';
import { connectorOf } from './connector-scope';
import { auditDetail, auditTarget } from './audit';
import { decideFinding } from './finding-decisions';
import { principalOf } from './principal';
import { ProblemError, problemResponses } from './problem';

/** What the scan routes need. */
export interface ScanRoutesDeps {
  store: Store;
  temporal: Client;
}

const policyId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'a policy id (lower-case letters, digits, dashes)');

const SHARED_LINK_FILTER = [...SHARED_LINK_ACCESSES, 'none'] as const;

/** The filters of the file list (the API's query and the console's form): see InventoryRepository.list. */
export const fileFilters = {
  accessLevel: z
    .enum(ACCESS_LEVELS, { message: `one of ${ACCESS_LEVELS.join(', ')}` })
    .optional()
    .describe(
      "The file's exposure: private, internal (company link or internal collaborators), external, public",
    ),
  sharedLink: z
    .enum(SHARED_LINK_FILTER, { message: `one of ${SHARED_LINK_FILTER.join(', ')}` })
    .optional()
    .describe("The file's shared link: open, company, collaborators, or none"),
  owner: z
    .string()
    .trim()
    .regex(/^[^\s@]{1,200}@[^\s@]{1,200}$/, "an owner's login (an email address)")
    .optional()
    .describe("The owner's login (case-insensitive)"),
  policy: policyId.optional().describe('Only files with an open finding of this policy'),
  severity: z
    .enum(SEVERITIES, { message: `one of ${SEVERITIES.join(', ')}` })
    .optional()
    .describe('Only files with an open finding of this severity'),
  domain: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]{1,253}\.[A-Za-z0-9-]{1,63}$/, 'a domain such as partner.com')
    .optional()
    .describe('Only files with a collaborator from this external domain'),
  name: z
    .string()
    .trim()
    .min(1, 'at least 1 character')
    .max(200, 'at most 200 characters')
    .optional()
    .describe("Part of the file's name (case-insensitive)"),
};

/** Query of GET /api/connectors/:id/files. */
export const filesQuery = z.strictObject({ ...fileFilters, ...pagingQuery(SCAN_PAGE) });

/** Query of GET /api/connectors/:id/findings. */
export const findingsQuery = z.strictObject({
  severity: z.enum(SEVERITIES, { message: `one of ${SEVERITIES.join(', ')}` }).optional(),
  policy: policyId.optional(),
  status: z.enum(FINDING_STATUSES, { message: `one of ${FINDING_STATUSES.join(', ')}` }).optional(),
  file: z
    .string()
    .regex(/^[0-9]{1,20}$/, 'a Box file id (digits)')
    .optional()
    .describe('Only findings of this file'),
  ...pagingQuery(SCAN_PAGE),
});

const findingParams = z.object({ findingId: z.string().uuid('a finding id (a UUID)') });
/** Body of POST /api/connectors/:id/findings/:findingId/dismiss. */
export const dismissBody = z.strictObject({
  reason: z.string().trim().min(1, 'say why it is dismissed').max(1000, 'at most 1,000 characters'),
});
/** Body of POST /api/connectors/:id/findings/:findingId/resolve. */
export const resolveBody = z.strictObject({
  note: z.string().trim().max(1000, 'at most 1,000 characters').optional().describe('How it was dealt with'),
});

/** A file of the inventory as the API shows it. */
export const fileView = z
  .object({
    fileId: z.string(),
    name: z.string(),
    path: z.string(),
    owner: z.object({ id: z.string(), login: z.string() }),
    extension: z.string(),
    size: z.number(),
    sha1: z.string(),
    accessLevel: z.string(),
    sharedLinkAccess: z.string().nullable(),
    collaborators: z.object({
      internal: z.number(),
      external: z.number(),
      externalDomains: z.array(z.string()),
    }),
    modifiedAt: z.string().nullable(),
    lastScannedAt: z.string().nullable(),
    inspection: z.object({ status: z.string(), reason: z.string() }),
  })
  .meta({ id: 'File' });

/** A file of the inventory as the API shows it. */
export type FileView = z.infer<typeof fileView>;

/** A finding as the API shows it (masked samples only). */
export const findingView = z
  .object({
    id: z.string(),
    fileId: z.string(),
    file: z.object({
      name: z.string().nullable(),
      path: z.string().nullable(),
      ownerLogin: z.string().nullable(),
    }),
    policyId: z.string(),
    policyName: z.string(),
    severity: z.string(),
    accessLevel: z.string(),
    detectorCounts: z.record(z.string(), z.number()),
    samples: z.array(z.unknown()).describe('Masked samples only, never a raw value'),
    status: z.string().describe('open, closed, dismissed or resolved'),
    openedAt: z.string(),
    closedAt: z.string().nullable(),
    updatedAt: z.string(),
    decision: z
      .object({ by: z.string(), at: z.string(), reason: z.string().nullable() })
      .nullable()
      .describe('Who dismissed or resolved it, when and why'),
  })
  .meta({ id: 'Finding' });

/** A finding as the API shows it. */
export type FindingView = z.infer<typeof findingView>;

/**
 * `GET /api/connectors/:id/files?accessLevel=&policy=&cursor=&limit=` (the inventory, files present in
 * Box, by file id), `GET /api/connectors/:id/findings?severity=&policy=&status=&cursor=&limit=` (newest
 * opened first), both `{ items, nextCursor? }`, and `POST /api/connectors/:id/rescan` (starts the next
 * scan pass now). Registered in the connector scope. See docs/scan.md.
 */
export function registerScanRoutes(app: ApiApp, deps: ScanRoutesDeps): void {
  const inventory = new InventoryRepository(deps.store.db);
  const findings = new FindingsRepository(deps.store.db);

  app.get(
    '/files',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'The inventory: files present in Box, by file id',
        tags: ['scan'],
        querystring: filesQuery,
        response: { 200: pageOf(fileView), ...problemResponses(400, 401, 404, 429) },
      },
    },
    (req) => answerPage(() => inventory.list(connectorOf(req).id, req.query), toFileView),
  );

  app.get(
    '/findings',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Findings, newest opened first',
        tags: ['scan'],
        querystring: findingsQuery,
        response: { 200: pageOf(findingView), ...problemResponses(400, 401, 404, 429) },
      },
    },
    (req) => {
      const { file, ...q } = req.query;
      return answerPage(() => findings.list(connectorOf(req).id, { ...q, fileId: file }), toFindingView);
    },
  );

  for (const decision of ['dismiss', 'resolve'] as const)
    app.post(
      `/findings/:findingId/${decision}`,
      {
        config: { role: 'analyst', action: `finding.${decision}` },
        schema: {
          summary:
            decision === 'dismiss'
              ? 'Dismiss an open finding, saying why (it stays dismissed when rescans find it again)'
              : 'Resolve an open finding (it opens again if a rescan finds it again)',
          tags: ['scan'],
          params: findingParams,
          body: decision === 'dismiss' ? dismissBody : resolveBody.nullish(),
          response: { 200: findingView, ...problemResponses(400, 401, 403, 404, 409, 429) },
        },
      },
      async (req) => {
        const body = req.body as { reason?: string; note?: string } | undefined;
        const reason = body?.reason ?? body?.note;
        auditTarget(req, req.params.findingId);
        if (reason) auditDetail(req, { reason });
        const row = await decideFinding(deps.store, {
          connectorId: connectorOf(req).id,
          findingId: req.params.findingId,
          decision,
          login: principalOf(req).login,
          reason,
        });
        auditDetail(req, { fileId: row.file_id, policyId: row.policy_id });
        return toFindingView((await findings.getWithFile(row.connector_id, row.id))!);
      },
    );

  app.post(
    '/rescan',
    {
      config: { role: 'analyst', action: 'connector.rescan' },
      schema: {
        summary: 'Start the next scan pass now',
        tags: ['scan'],
        response: {
          202: z.object({ accepted: z.literal(true), message: z.string() }),
          ...problemResponses(400, 401, 404, 409, 429),
        },
      },
    },
    async (req, reply) => {
      try {
        await deps.temporal.workflow.getHandle(workflowIds.scan(connectorOf(req).id)).signal(rescanNowSignal);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        throw new ProblemError(
          'conflict',
          'The scan of this connector is not running (it starts once the connector is Connected). Authorize the connector, then try again.',
        );
      }
      return reply.code(202).send({
        accepted: true as const,
        message: 'The next scan pass starts now, or as soon as the pass that is running ends.',
      });
    },
  );
}

/** A file of the inventory as the API shows it. */
export function toFileView(row: FileRow): FileView {
  return {
    fileId: row.file_id,
    name: row.name,
    path: row.path,
    owner: { id: row.owner_id, login: row.owner_login },
    extension: row.extension,
    size: row.size,
    sha1: row.sha1,
    accessLevel: row.access_level,
    sharedLinkAccess: row.shared_link_access,
    collaborators: JSON.parse(row.collaborators_json) as FileView['collaborators'],
    modifiedAt: row.modified_at,
    lastScannedAt: row.last_scanned_at,
    inspection: { status: row.inspection_status, reason: row.inspection_reason },
  };
}

/** A finding as the API shows it. */
export function toFindingView(row: FindingWithFile): FindingView {
  return {
    id: row.id,
    fileId: row.file_id,
    file: { name: row.file_name, path: row.file_path, ownerLogin: row.owner_login },
    policyId: row.policy_id,
    policyName: row.policy_name,
    severity: row.severity,
    accessLevel: row.access_level,
    detectorCounts: JSON.parse(row.detector_counts_json) as Record<string, number>,
    samples: JSON.parse(row.samples_json) as unknown[],
    status: row.status,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    updatedAt: row.updated_at,
    decision:
      row.decided_by && row.decided_at
        ? { by: row.decided_by, at: row.decided_at, reason: row.decision_reason }
        : null,
  };
}
