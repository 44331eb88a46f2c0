import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { workflowIds } from '../common/workflow-ids';
import { ACCESS_LEVELS, SEVERITIES } from '../policies';
import { InvalidCursorError } from '../store/activity-log-repository';
import type { ConnectorsRepository } from '../store/connectors-repository';
import type { Store } from '../store/database';
import { FINDING_STATUSES, FindingsRepository, type FindingWithFile } from '../store/findings-repository';
import { InventoryRepository, type FileRow } from '../store/inventory-repository';
import { SCAN_PAGE } from '../store/page-cursor';
import { rescanNowSignal } from '../workflows/scan-files-messages';
import { parseOrReply, type ApiError } from './http-errors';

/** What the scan routes need. */
export interface ScanRoutesDeps {
  store: Store;
  connectors: ConnectorsRepository;
  temporal: Client;
}

const idParams = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a connector id') });
const policyId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'a policy id (lower-case letters, digits, dashes)');
const paging = {
  cursor: z.string().min(1).max(1000).optional(),
  limit: z.coerce
    .number({ message: 'a number' })
    .int('a whole number')
    .min(1, 'at least 1')
    .max(SCAN_PAGE.maxLimit, `at most ${SCAN_PAGE.maxLimit}`)
    .default(SCAN_PAGE.defaultLimit),
};

/** Query of GET /api/connectors/:id/files. */
export const filesQuery = z.strictObject({
  accessLevel: z.enum(ACCESS_LEVELS, { message: `one of ${ACCESS_LEVELS.join(', ')}` }).optional(),
  policy: policyId.optional(),
  ...paging,
});

/** Query of GET /api/connectors/:id/findings. */
export const findingsQuery = z.strictObject({
  severity: z.enum(SEVERITIES, { message: `one of ${SEVERITIES.join(', ')}` }).optional(),
  policy: policyId.optional(),
  status: z.enum(FINDING_STATUSES, { message: `one of ${FINDING_STATUSES.join(', ')}` }).optional(),
  ...paging,
});

/** A file of the inventory as the API shows it. */
export interface FileView {
  fileId: string;
  name: string;
  path: string;
  owner: { id: string; login: string };
  extension: string;
  size: number;
  sha1: string;
  accessLevel: string;
  sharedLinkAccess: string | null;
  collaborators: { internal: number; external: number; externalDomains: string[] };
  modifiedAt: string | null;
  lastScannedAt: string | null;
  inspection: { status: string; reason: string };
}

/** A finding as the API shows it (masked samples only). */
export interface FindingView {
  id: string;
  fileId: string;
  file: { name: string | null; path: string | null; ownerLogin: string | null };
  policyId: string;
  policyName: string;
  severity: string;
  accessLevel: string;
  detectorCounts: Record<string, number>;
  samples: unknown[];
  status: string;
  openedAt: string;
  closedAt: string | null;
  updatedAt: string;
}

/**
 * `GET /api/connectors/:id/files?accessLevel=&policy=&cursor=&limit=` (the inventory, files present in
 * Box, by file id), `GET /api/connectors/:id/findings?severity=&policy=&status=&cursor=&limit=` (newest
 * opened first), both `{ items, nextCursor? }`, and `POST /api/connectors/:id/rescan` (starts the next
 * scan pass now). See docs/scan.md.
 */
export function registerScanRoutes(app: FastifyInstance, deps: ScanRoutesDeps): void {
  const inventory = new InventoryRepository(deps.store.db);
  const findings = new FindingsRepository(deps.store.db);
  const notFound = (id: string): ApiError => ({
    error: 'not_found',
    message: `No connector with id '${id}'.`,
  });
  const badCursor: ApiError = {
    error: 'invalid_request',
    message:
      'Invalid query: cursor: pass the nextCursor of the previous page unchanged, with the same filters.',
  };

  app.get('/api/connectors/:id/files', async (req, reply) => {
    const params = parseOrReply(idParams, req.params, reply, 'path');
    if (!params) return reply;
    const query = parseOrReply(filesQuery, req.query, reply, 'query');
    if (!query) return reply;
    if (!(await deps.connectors.get(params.id))) return reply.code(404).send(notFound(params.id));
    try {
      const page = await inventory.list(params.id, query);
      return { items: page.items.map(fileView), ...(page.nextCursor && { nextCursor: page.nextCursor }) };
    } catch (err) {
      if (err instanceof InvalidCursorError) return reply.code(400).send(badCursor);
      throw err;
    }
  });

  app.get('/api/connectors/:id/findings', async (req, reply) => {
    const params = parseOrReply(idParams, req.params, reply, 'path');
    if (!params) return reply;
    const query = parseOrReply(findingsQuery, req.query, reply, 'query');
    if (!query) return reply;
    if (!(await deps.connectors.get(params.id))) return reply.code(404).send(notFound(params.id));
    try {
      const page = await findings.list(params.id, query);
      return { items: page.items.map(findingView), ...(page.nextCursor && { nextCursor: page.nextCursor }) };
    } catch (err) {
      if (err instanceof InvalidCursorError) return reply.code(400).send(badCursor);
      throw err;
    }
  });

  app.post('/api/connectors/:id/rescan', async (req, reply) => {
    const params = parseOrReply(idParams, req.params, reply, 'path');
    if (!params) return reply;
    if (!(await deps.connectors.get(params.id))) return reply.code(404).send(notFound(params.id));
    try {
      await deps.temporal.workflow.getHandle(workflowIds.scan(params.id)).signal(rescanNowSignal);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      return reply.code(409).send({
        error: 'conflict',
        message:
          'The scan of this connector is not running (it starts once the connector is Connected). Authorize the connector, then try again.',
      } satisfies ApiError);
    }
    return reply.code(202).send({ accepted: true, message: 'The next scan pass starts now.' });
  });
}

function fileView(row: FileRow): FileView {
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

function findingView(row: FindingWithFile): FindingView {
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
