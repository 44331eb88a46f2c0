import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../config/config';
import { DATA_CENTERS } from '../config/schema';
import { CONNECTOR_ID, CONNECTOR_STATUS } from '../common/search-attributes';
import { workflowIds } from '../common/workflow-ids';
import {
  DuplicateInstanceNameError,
  type ConnectorRecord,
  type ConnectorsRepository,
} from '../store/connectors-repository';
import type { connectBox } from '../workflows/connect-box';
import { disconnectSignal, statusQuery } from '../workflows/connect-box-messages';
import type { ConnectorStatus } from '../workflows/connector-status';
import { progressQuery, type ScanProgress } from '../workflows/scan-files-messages';
import { parseOrReply, type ApiError } from './http-errors';
import type { OAuthStateSigner } from './oauth-state';

/** What the connectors routes need. */
export interface ConnectorsRoutesDeps {
  config: Config;
  connectors: ConnectorsRepository;
  temporal: Client;
  states: OAuthStateSigner;
}

/** Body of POST /api/connectors. */
export const createConnectorBody = z.strictObject({
  instanceName: z.string().trim().min(1, 'required').max(100, 'at most 100 characters'),
  dataCenter: z.enum(DATA_CENTERS, { message: `one of ${DATA_CENTERS.join(', ')}` }),
});

const idParams = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a connector id') });

/** The OAuth redirect URI registered with the Box app. */
export function redirectUri(config: Config): string {
  return `${config.api.publicBaseUrl.replace(/\/$/, '')}/oauth/box/callback`;
}

/** Connectors API: create, list, read, disconnect, re-authorize; and the Box app keys per data centre. */
export function registerConnectorsRoutes(app: FastifyInstance, deps: ConnectorsRoutesDeps): void {
  const { config, connectors, temporal, states } = deps;

  const authorizeUrl = async (record: ConnectorRecord) => {
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
  };

  const liveStatus = async (id: string): Promise<ConnectorStatus | undefined> => {
    try {
      return await temporal.workflow.getHandle(workflowIds.connector(id)).query(statusQuery);
    } catch {
      return undefined; // Temporal or the worker unreachable: the stored record still answers
    }
  };

  const scanProgress = async (id: string): Promise<ScanProgress | undefined> => {
    try {
      return await temporal.workflow.getHandle(workflowIds.scan(id)).query(progressQuery);
    } catch {
      return undefined; // not started (not connected yet) or closed
    }
  };

  const notFound = (id: string): ApiError => ({
    error: 'not_found',
    message: `No connector with id '${id}'.`,
  });

  app.post('/api/connectors', async (req, reply) => {
    const body = parseOrReply(createConnectorBody, req.body ?? {}, reply, 'connector');
    if (!body) return reply;
    if (!config.box.apps[body.dataCenter]) {
      return reply.code(400).send({
        error: 'data_center_unavailable',
        message: `No Box app is configured for data centre ${body.dataCenter}: set BOX_${body.dataCenter}_CLIENT_ID and BOX_${body.dataCenter}_CLIENT_SECRET.`,
      } satisfies ApiError);
    }
    const id = randomBytes(6).toString('hex');
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
      if (err instanceof DuplicateInstanceNameError)
        return reply.code(409).send({ error: 'conflict', message: err.message } satisfies ApiError);
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
      return reply.code(503).send({
        error: 'temporal_unavailable',
        message: `The connector could not be started (Temporal: ${err instanceof Error ? err.message : String(err)}). Try again.`,
      } satisfies ApiError);
    }
    return reply.code(201).send({ id, status: 'AwaitingAuthorization', ...(await authorizeUrl(record)) });
  });

  app.get('/api/connectors', async () => ({ items: (await connectors.list()).map(view) }));

  app.get('/api/connectors/:id', async (req, reply) => {
    const params = parseOrReply(idParams, req.params, reply, 'path');
    if (!params) return reply;
    const record = await connectors.get(params.id);
    if (!record) return reply.code(404).send(notFound(params.id));
    const [live, scan] = await Promise.all([liveStatus(params.id), scanProgress(params.id)]);
    return {
      ...view(record),
      live: live !== undefined,
      ...(live && { status: live.status, message: live.message, details: live }),
      ...(scan && { scan }),
    };
  });

  app.delete('/api/connectors/:id', async (req, reply) => {
    const params = parseOrReply(idParams, req.params, reply, 'path');
    if (!params) return reply;
    const record = await connectors.get(params.id);
    if (!record) return reply.code(404).send(notFound(params.id));
    if (record.status === 'Disconnected') return reply.code(200).send(view(record));
    try {
      await temporal.workflow
        .getHandle(workflowIds.connector(params.id))
        .signal(disconnectSignal, { reason: 'disconnected through the API' });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await connectors.updateStatus(params.id, {
        status: 'Disconnected',
        statusMessage: 'Disconnected: its workflow no longer runs.',
      });
    }
    return reply.code(202).send({
      id: params.id,
      status: 'Disconnecting',
      message: 'Disconnecting: children cancelled, token revoked.',
    });
  });

  app.post('/api/connectors/:id/authorize', async (req, reply) => {
    const params = parseOrReply(idParams, req.params, reply, 'path');
    if (!params) return reply;
    const record = await connectors.get(params.id);
    if (!record) return reply.code(404).send(notFound(params.id));
    if (record.status === 'Disconnected') {
      return reply.code(409).send({
        error: 'disconnected',
        message: 'This connector is disconnected; create a new one.',
      } satisfies ApiError);
    }
    return { id: record.id, ...(await authorizeUrl(record)) };
  });

  app.get('/api/box/app-keys', () => ({
    items: DATA_CENTERS.map((dc) => ({
      dataCenter: dc,
      clientId: config.box.apps[dc]?.clientId ?? null,
      configured: config.box.apps[dc] !== undefined,
      note: 'An enterprise that blocks unpublished apps must enable this client ID in the Box Admin Console (Apps > Custom Apps Manager).',
    })),
  }));
}

function view(r: ConnectorRecord) {
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
