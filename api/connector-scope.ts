import type { FastifyRequest } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Config } from '../config/config';
import type { ConnectorRecord, ConnectorsRepository } from '../store/connectors-repository';
import type { Store } from '../store/database';
import { registerEventsRoutes } from './events-routes';
import { connectorParams, type ApiApp } from './api-app';
import { registerConnectorRoutes } from './connectors-routes';
import type { OAuthStateSigner } from './oauth-state';
import { ProblemError } from './problem';
import { registerScanRoutes } from './scan-routes';
import { registerGovernanceRoutes } from './governance-routes';
import { z } from 'zod';

/** What the `/api/connectors/:id` scope needs. */
export interface ConnectorScopeDeps {
  config: Config;
  store: Store;
  temporal: Client;
  connectors: ConnectorsRepository;
  states: OAuthStateSigner;
}

const loaded = new WeakMap<FastifyRequest, ConnectorRecord>();

/** The connector of a request in the `/api/connectors/:id` scope (loaded once by the scope's preHandler). */
export function connectorOf(req: FastifyRequest): ConnectorRecord {
  const record = loaded.get(req);
  if (!record) throw new Error('connectorOf called outside the /api/connectors/:id scope');
  return record;
}

/**
 * The `/api/connectors/:id` scope: every route in it validates `:id` and finds the connector before its
 * handler runs (404 problem when there is none), so handlers start from `connectorOf(req)`.
 */
export function registerConnectorScope(deps: ConnectorScopeDeps) {
  return async (scope: ApiApp): Promise<void> => {
    scope.addHook('onRoute', (route) => {
      // A route's own path parameters (`:actionId`, `:fileId`) join the connector's id.
      const own = route.schema?.params;
      const params = own instanceof z.ZodObject ? connectorParams.extend(own.shape) : connectorParams;
      route.schema = { ...route.schema, params };
    });
    scope.addHook('preHandler', async (req) => {
      const { id } = req.params as { id: string };
      const record = await deps.connectors.get(id);
      if (!record) throw new ProblemError('not-found', `No connector with id '${id}'.`);
      loaded.set(req, record);
    });
    registerConnectorRoutes(scope, deps);
    registerScanRoutes(scope, deps);
    registerEventsRoutes(scope, deps);
    registerGovernanceRoutes(scope, deps);
    return Promise.resolve();
  };
}
