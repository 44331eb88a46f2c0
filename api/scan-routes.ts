import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { workflowIds } from '../common/workflow-ids';
import { ACCESS_LEVELS, SEVERITIES } from '../policies';
import type { Store } from '../store/database';
import { FINDING_STATUSES, FindingsRepository, type FindingWithFile } from '../store/findings-repository';
import { InventoryRepository, type FileRow } from '../store/inventory-repository';
import { SCAN_PAGE } from '../store/page-cursor';
import { rescanNowSignal } from '../workflows/scan-files-messages';
import { answerPage, pageOf, pagingQuery, type ApiApp } from './api-app';
import { connectorOf } from './connector-scope';
import { ProblemError, problemResponses } from './problem';

/** What the scan routes need. */
export interface ScanRoutesDeps {
  store: Store;
  temporal: Client;
}

const policyId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'a policy id (lower-case letters, digits, dashes)');

/** Query of GET /api/connectors/:id/files. */
export const filesQuery = z.strictObject({
  accessLevel: z.enum(ACCESS_LEVELS, { message: `one of ${ACCESS_LEVELS.join(', ')}` }).optional(),
  policy: policyId.optional().describe('Only files with an open finding of this policy'),
  ...pagingQuery(SCAN_PAGE),
});

/** Query of GET /api/connectors/:id/findings. */
export const findingsQuery = z.strictObject({
  severity: z.enum(SEVERITIES, { message: `one of ${SEVERITIES.join(', ')}` }).optional(),
  policy: policyId.optional(),
  status: z.enum(FINDING_STATUSES, { message: `one of ${FINDING_STATUSES.join(', ')}` }).optional(),
  ...pagingQuery(SCAN_PAGE),
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
    status: z.string(),
    openedAt: z.string(),
    closedAt: z.string().nullable(),
    updatedAt: z.string(),
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
    (req) => answerPage(() => findings.list(connectorOf(req).id, req.query), toFindingView),
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

function toFileView(row: FileRow): FileView {
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

function toFindingView(row: FindingWithFile): FindingView {
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
  };
}
