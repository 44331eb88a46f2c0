import type { Client } from '@temporalio/client';
import type { Config } from '../config/config';
import type { ConnectorsRepository } from '../store/connectors-repository';
import type { Store } from '../store/database';
import type { ApiApp } from './api-app';
import type { BearerToken } from './auth';
import { registerConnectorScope } from './connector-scope';
import { registerConnectorsRoutes } from './connectors-routes';
import type { OAuthStateSigner } from './oauth-state';
import type { RouteAccess } from './route-table';

/** What the `/api` scope needs. */
export interface ApiRoutesDeps {
  config: Config;
  store: Store;
  temporal: Client;
  connectors: ConnectorsRepository;
  states: OAuthStateSigner;
  bearer: BearerToken;
}

/**
 * The `/api` scope: every route registered in it is rate limited per client and then needs the bearer token
 * (both `onRequest` hooks of this scope, so no route can be added without them, whatever its path looks
 * like). Register it with `{ prefix: '/api' }`.
 */
export function apiRoutes(deps: ApiRoutesDeps) {
  return async (scope: ApiApp): Promise<void> => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'bearer' satisfies RouteAccess };
      route.schema = { ...route.schema, security: [{ bearer: [] }] };
    });
    scope.addHook(
      'onRequest',
      scope.rateLimit({ max: deps.config.api.rateLimitPerMinute, timeWindow: 60_000 }),
    );
    scope.addHook('onRequest', deps.bearer.hook());
    // Bodies are JSON or nothing: anything else is a 415 problem, not a string handed to a schema.
    scope.removeContentTypeParser(['text/plain']);

    registerConnectorsRoutes(scope, deps);
    await scope.register(registerConnectorScope(deps), { prefix: '/connectors/:id' });
  };
}
