import { z } from 'zod';
import { DATA_CENTERS } from '../domain/data-centers';
import type { ApiApp } from './api-app';
import { auditDetail, auditTarget } from './audit';
import { connectorOf } from './connector-scope';
import {
  ConnectorsService,
  connectorViewOf,
  newConnectorId,
  type ConnectorsServiceDeps,
} from './connectors-service';
import { problemResponses } from './problem';

/** What the connectors routes need. */
export type ConnectorsRoutesDeps = ConnectorsServiceDeps;

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

/** `/api/connectors` (create, list) and `/api/box/app-keys`. */
export function registerConnectorsRoutes(app: ApiApp, deps: ConnectorsRoutesDeps): void {
  const { config } = deps;
  const service = new ConnectorsService(deps);

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
      const id = newConnectorId();
      auditTarget(req, id);
      auditDetail(req, { instanceName: body.instanceName, dataCenter: body.dataCenter });
      const { record, ...link } = await service.create({ id, ...body });
      return reply.code(201).send({ id: record.id, status: 'AwaitingAuthorization', ...link });
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
    async () => ({ items: await service.list() }),
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

/** `/api/connectors/:id`: read (with live status, scan progress, webhook and stream health), disconnect, re-authorize. */
export function registerConnectorRoutes(app: ApiApp, deps: ConnectorsRoutesDeps): void {
  const service = new ConnectorsService(deps);

  app.get(
    '',
    {
      config: { role: 'viewer' },
      schema: {
        summary:
          'A connector with its live status (API test, backfill), scan progress, webhook and event-stream health',
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
            webhooks: z
              .object({
                registered: z.number().describe('Webhooks recorded in the store for this connector'),
                pendingDeliveries: z.number().describe('Deliveries recorded but not yet signalled'),
                checkedAt: z.string().optional().describe("The connector's last check of its webhooks"),
                problem: z.string().optional().describe('What the last check found wrong'),
              })
              .describe('Webhook health'),
            eventStream: z
              .record(z.string(), z.unknown())
              .optional()
              .describe(
                'Event-stream health: the enterpriseEvents progress query (position, reads, lastReadAt) with lagSeconds since the last read; absent when it did not answer',
              ),
          }),
          ...problemResponses(400, 401, 404, 429),
        },
      },
    },
    async (req) => {
      const { details, scan, eventStream, ...rest } = await service.details(connectorOf(req));
      return {
        ...rest,
        ...(details && { details: { ...details } }),
        ...(scan && { scan: { ...scan } }),
        ...(eventStream && { eventStream: { ...eventStream } }),
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
      if (!(await service.disconnect(record, 'disconnected through the API')))
        return reply.code(200).send(connectorViewOf(record));
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
      return { id: record.id, ...(await service.reauthorize(record)) };
    },
  );
}
