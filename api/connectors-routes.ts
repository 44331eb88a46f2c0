import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../config/config';
import { DATA_CENTERS } from '../domain/data-centers';
import { CONNECTOR_ID, CONNECTOR_STATUS } from '../common/search-attributes';
import { workflowIds } from '../common/workflow-ids';
import {
  DuplicateInstanceNameError,
  type ConnectorRecord,
  type ConnectorsRepository,
} from '../store/connectors-repository';
import type { connectBox } from '../workflows/connect-box';
import { disconnectSignal, statusQuery } from '../workflows/connect-box-messages';
import type { ConnectorStatus } from '../domain/connector-status';
import { progressQuery, type ScanProgress } from '../workflows/scan-files-messages';
import type { Store } from '../store/database';
import { ScanWorkRepository, type StoredProgress } from '../store/scan-work-repository';
import type { ApiApp } from './api-app';
import { auditDetail, auditTarget } from './audit';
import { connectorOf } from './connector-scope';
import type { OAuthStateSigner } from './oauth-state';
import { ProblemError, problemResponses } from './problem';

/** What the connectors routes need. */
export interface ConnectorsRoutesDeps {
  config: Config;
  connectors: ConnectorsRepository;
  temporal: Client;
  states: OAuthStateSigner;
  store: Store;
}

/** Body of POST /api/connectors. */
export const createConnectorBody = z
  .strictObject({
    instanceName: z
      .string({ message: 'a name' })
      .trim()
      .min(1, 'required')
      .max(100, 'at most 100 characters')
      .describe('A name for this connection; unique among active connectors (ignoring case and spacing)'),
    dataCenter: z
      .enum(DATA_CENTERS, { message: `one of ${DATA_CENTERS.join(', ')}` })
      .describe('The Box data centre of the enterprise'),
  })
  .meta({ id: 'CreateConnector' });

/** A connector as the API shows it. */
export const connectorView = z
  .object({
    id: z.string(),
    instanceName: z.string(),
    dataCenter: z.string(),
    status: z.string(),
    message: z.string(),
    enterpriseId: z.string().nullable(),
    authorizedLogin: z.string().nullable(),
    authorizedRole: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Connector' });

const authorizeLink = {
  authorizeUrl: z.string().describe('Open it as a Box admin to authorize connect-box'),
  authorizeUrlExpiresAt: z.string(),
};

/** The OAuth redirect URI registered with the Box app. */
export function redirectUri(config: Config): string {
  return `${config.api.publicBaseUrl.replace(/\/$/, '')}/oauth/box/callback`;
}

/** A fresh authorize URL for the connector (with a new signed, single-use state). */
async function authorizeUrl(deps: ConnectorsRoutesDeps, record: ConnectorRecord) {
  const { config, states } = deps;
  const client = config.box.apps[record.data_center as (typeof DATA_CENTERS)[number]];
  const { state, expiresAt } = await states.issue(record.id, config.timing.authorizationTimeoutMs);
  const url = new URL(config.box.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client?.clientId ?? '',
    redirect_uri: redirectUri(config),
    state,
  }).toString();
  return { authorizeUrl: url.toString(), authorizeUrlExpiresAt: expiresAt.toISOString() };
}

/** `/api/connectors` (create, list) and `/api/box/app-keys`. */
export function registerConnectorsRoutes(app: ApiApp, deps: ConnectorsRoutesDeps): void {
  const { config, connectors, temporal } = deps;

  app.post(
    '/connectors',
    {
      config: { role: 'admin', action: 'connector.create' },
      schema: {
        summary: 'Create a connector; returns the URL a Box admin opens to authorize it',
        tags: ['connectors'],
        body: createConnectorBody,
        response: {
          201: z.object({ id: z.string(), status: z.string(), ...authorizeLink }),
          ...problemResponses(400, 401, 409, 429, 503),
        },
      },
    },
    async (req, reply) => {
      const body = req.body;
      if (!config.box.apps[body.dataCenter]) {
        throw new ProblemError(
          'invalid-request',
          `No Box app is configured for data centre ${body.dataCenter}: set BOX_${body.dataCenter}_CLIENT_ID and BOX_${body.dataCenter}_CLIENT_SECRET.`,
        );
      }
      const id = randomBytes(6).toString('hex');
      auditTarget(req, id);
      auditDetail(req, { instanceName: body.instanceName, dataCenter: body.dataCenter });
      let record: ConnectorRecord;
      try {
        record = await connectors.create({
          id,
          instanceName: body.instanceName,
          dataCenter: body.dataCenter,
          status: 'AwaitingAuthorization',
          statusMessage: 'Waiting for a Box admin to authorize connect-box.',
        });
      } catch (err) {
        if (err instanceof DuplicateInstanceNameError) throw new ProblemError('conflict', err.message);
        throw err;
      }
      try {
        await temporal.workflow.start<typeof connectBox>('connectBox', {
          workflowId: workflowIds.connector(id),
          taskQueue: config.temporal.taskQueues.main,
          staticSummary: `Box connector '${body.instanceName}' (${body.dataCenter})`.slice(0, 200),
          staticDetails: `Connector ${id}: OAuth, API test, backfill of ${config.timing.backfillWindowMs / 86_400_000} days, continuous scan.`,
          typedSearchAttributes: [
            { key: CONNECTOR_ID, value: id },
            { key: CONNECTOR_STATUS, value: 'AwaitingAuthorization' },
          ],
          args: [
            {
              connectorId: id,
              instanceName: body.instanceName,
              dataCenter: body.dataCenter,
              authorizationTimeoutMs: config.timing.authorizationTimeoutMs,
              backfillWindowMs: config.timing.backfillWindowMs,
              rescanIntervalMs: config.timing.rescanIntervalMs,
              eventStreamPollMs: config.timing.eventStreamPollMs,
              taskQueues: config.temporal.taskQueues,
              scanUserConcurrency: config.scan.userConcurrency,
            },
          ],
        });
      } catch (err) {
        // Without its workflow the connector cannot live: free the name and say why.
        await connectors.updateStatus(id, {
          status: 'Disconnected',
          statusMessage: 'Could not start its workflow.',
        });
        throw new ProblemError(
          'unavailable',
          `The connector could not be started (Temporal: ${err instanceof Error ? err.message : String(err)}). Try again.`,
        );
      }
      return reply
        .code(201)
        .send({ id, status: 'AwaitingAuthorization', ...(await authorizeUrl(deps, record)) });
    },
  );

  app.get(
    '/connectors',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'List connectors, newest first',
        tags: ['connectors'],
        response: { 200: z.object({ items: z.array(connectorView) }), ...problemResponses(401, 429) },
      },
    },
    async () => ({ items: (await connectors.list()).map(view) }),
  );

  app.get(
    '/box/app-keys',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'The Box app client id per data centre (for enterprises that must enable the app)',
        tags: ['connectors'],
        response: {
          200: z.object({
            items: z.array(
              z.object({
                dataCenter: z.string(),
                clientId: z.string().nullable(),
                configured: z.boolean(),
                note: z.string(),
              }),
            ),
          }),
          ...problemResponses(401, 429),
        },
      },
    },
    () => ({
      items: DATA_CENTERS.map((dc) => ({
        dataCenter: dc,
        clientId: config.box.apps[dc]?.clientId ?? null,
        configured: config.box.apps[dc] !== undefined,
        note: 'An enterprise that blocks unpublished apps must enable this client ID in the Box Admin Console (Apps > Custom Apps Manager).',
      })),
    }),
  );
}

/**
 * How long the API waits for a workflow to answer a query. With no worker running, Temporal holds a query
 * for about 30 s; the stored record and the store's scan figures answer instead (`live: false`).
 */
export const LIVE_QUERY_TIMEOUT_MS = 3_000;

/** `/api/connectors/:id`: read (with live status and scan progress), disconnect, re-authorize. */
export function registerConnectorRoutes(app: ApiApp, deps: ConnectorsRoutesDeps): void {
  const { connectors, temporal } = deps;

  const liveStatus = async (id: string): Promise<ConnectorStatus | undefined> => {
    try {
      return await temporal.withDeadline(Date.now() + LIVE_QUERY_TIMEOUT_MS, () =>
        temporal.workflow.getHandle(workflowIds.connector(id)).query(statusQuery),
      );
    } catch {
      return undefined; // Temporal or the worker unreachable: the stored record still answers
    }
  };
  const work = new ScanWorkRepository(deps.store.db);
  const scanQuery = async (id: string): Promise<ScanProgress | undefined> => {
    try {
      return await temporal.withDeadline(Date.now() + LIVE_QUERY_TIMEOUT_MS, () =>
        temporal.workflow.getHandle(workflowIds.scan(id)).query(progressQuery),
      );
    } catch {
      return undefined; // not started (not connected yet), closed, or no worker answering
    }
  };
  // The figures come from the store (what the steps committed with their work), the state from the query.
  const scanProgress = async (id: string) => {
    const [live, stored] = await Promise.all([scanQuery(id), work.progress(id)]);
    return live || stored ? scanView(live, stored) : undefined;
  };

  app.get(
    '',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'A connector with its live status (API test, backfill) and scan progress',
        tags: ['connectors'],
        response: {
          200: connectorView.extend({
            live: z.boolean().describe('Whether its workflow answered (else: the stored record only)'),
            details: z.record(z.string(), z.unknown()).optional().describe('The connectBox status query'),
            scan: z
              .record(z.string(), z.unknown())
              .optional()
              .describe(
                'Scan progress: the figures as the store holds them, the state from the scanFiles progress query',
              ),
          }),
          ...problemResponses(400, 401, 404, 429),
        },
      },
    },
    async (req) => {
      const record = connectorOf(req);
      const [live, scan] = await Promise.all([liveStatus(record.id), scanProgress(record.id)]);
      return {
        ...view(record),
        live: live !== undefined,
        ...(live && { status: live.status, message: live.message, details: { ...live } }),
        ...(scan && { scan: { ...scan } }),
      };
    },
  );

  app.delete(
    '',
    {
      config: { role: 'admin', action: 'connector.disconnect' },
      schema: {
        summary: 'Disconnect: cancel its workflows, remove its webhooks, revoke the token',
        tags: ['connectors'],
        response: {
          200: connectorView.describe('Already disconnected'),
          202: z.object({ id: z.string(), status: z.literal('Disconnecting'), message: z.string() }),
          ...problemResponses(400, 401, 404, 429),
        },
      },
    },
    async (req, reply) => {
      const record = connectorOf(req);
      if (record.status === 'Disconnected') return reply.code(200).send(view(record));
      try {
        await temporal.workflow
          .getHandle(workflowIds.connector(record.id))
          .signal(disconnectSignal, { reason: 'disconnected through the API' });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        await connectors.updateStatus(record.id, {
          status: 'Disconnected',
          statusMessage: 'Disconnected: its workflow no longer runs.',
        });
      }
      return reply.code(202).send({
        id: record.id,
        status: 'Disconnecting' as const,
        message: 'Disconnecting: children cancelled, token revoked.',
      });
    },
  );

  app.post(
    '/authorize',
    {
      config: { role: 'admin', action: 'connector.reauthorize' },
      schema: {
        summary: 'A fresh authorize URL (to authorize again, e.g. after NeedsReauthorization)',
        tags: ['connectors'],
        response: {
          200: z.object({ id: z.string(), ...authorizeLink }),
          ...problemResponses(400, 401, 404, 409, 429),
        },
      },
    },
    async (req) => {
      const record = connectorOf(req);
      if (record.status === 'Disconnected')
        throw new ProblemError('conflict', 'This connector is disconnected; create a new one.');
      return { id: record.id, ...(await authorizeUrl(deps, record)) };
    },
  );
}

function view(r: ConnectorRecord): z.infer<typeof connectorView> {
  return {
    id: r.id,
    instanceName: r.instance_name,
    dataCenter: r.data_center,
    status: r.status,
    message: r.status_message,
    enterpriseId: r.enterprise_id,
    authorizedLogin: r.authorized_login,
    authorizedRole: r.authorized_role,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The scan's progress as the API shows it: every figure as the store holds it (users and counts of the
 * latest pass, priority rescans, files per second, the last completion), exact after a worker crash or a
 * rejected token because the steps commit their counts with their work; the state, the pass number and
 * the priority queue's length from the workflow's query (`live: false` when it did not answer).
 */
export function scanView(
  live: ScanProgress | undefined,
  stored: StoredProgress | undefined,
  now: number = Date.now(),
) {
  if (!stored) return { ...live!, live: true };
  // The workflow has moved on to a pass whose start the store does not hold yet: nothing counted in it.
  const unrecorded = live !== undefined && live.state !== 'waiting' && live.pass > stored.pass;
  const running = !unrecorded && stored.completedAt === undefined;
  const elapsedS = (now - Date.parse(stored.startedAt)) / 1000;
  const figures = {
    storedPass: stored.pass,
    usersTotal: unrecorded ? 0 : stored.usersTotal,
    usersDone: unrecorded ? 0 : stored.usersDone,
    filesSeen: unrecorded ? 0 : stored.filesSeen,
    inspected: unrecorded ? 0 : stored.inspected,
    skippedUnchanged: unrecorded ? 0 : stored.skippedUnchanged,
    findings: unrecorded ? 0 : stored.findings,
    priorityScanned: stored.priorityScanned,
    lastPassCompletedAt: stored.lastPassCompletedAt,
    filesPerSecond: running && elapsedS > 0 ? Math.round((stored.filesSeen / elapsedS) * 10) / 10 : undefined,
  };
  const message = running
    ? `Pass ${stored.pass}: ${stored.usersDone} of ${stored.usersTotal} users walked, ${stored.filesSeen} files seen.`
    : undefined;
  if (!live)
    return {
      pass: stored.completedAt ? stored.pass + 1 : stored.pass,
      state: stored.completedAt ? 'waiting' : 'scanning',
      ...figures,
      message: `${message ?? `Pass ${stored.pass} complete.`} (The scan workflow did not answer: figures from the store.)`,
      live: false,
    };
  return {
    ...live,
    ...figures,
    ...(live.state === 'scanning' && message && { message }),
    live: true,
  };
}
