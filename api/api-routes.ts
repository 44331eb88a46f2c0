import type { Client } from '@temporalio/client';
import type { Config } from '../config/config';
import type { ConnectorsRepository } from '../store/connectors-repository';
import type { Store } from '../store/database';
import type { ApiApp } from './api-app';
import type { AccountsRepository } from '../store/accounts-repository';
import type { ApiTokensRepository } from '../store/api-tokens-repository';
import { auditHook } from './audit';
import type { Authenticator } from './auth';
import { registerConnectorScope } from './connector-scope';
import { registerConnectorsRoutes } from './connectors-routes';
import { registerMetricsRoute } from './metrics-route';
import { registerAccountsRoutes, registerAuditRoutes, registerTokensRoutes } from './people-routes';
import type { OAuthStateSigner } from './oauth-state';
import type { RouteAccess } from './route-table';

/** What the `/api` scope needs. */
export interface ApiRoutesDeps {
  config: Config;
  store: Store;
  temporal: Client;
  connectors: ConnectorsRepository;
  states: OAuthStateSigner;
  auth: Authenticator;
  tokens: ApiTokensRepository;
  accounts: AccountsRepository;
}

/**
 * The `/api` scope: every route registered in it is rate limited per client, then needs a credential (the
 * bootstrap API_TOKEN or a personal token) whose role is at least the one the route declares in
 * `config.role` (both `onRequest` hooks of this scope, so no route can be added without them, whatever its
 * path looks like), and every state-changing request is audited (`onResponse`). Register it with
 * `{ prefix: '/api' }`.
 */
export function apiRoutes(deps: ApiRoutesDeps) {
  return async (scope: ApiApp): Promise<void> => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'bearer' satisfies RouteAccess };
      const role = route.config?.role;
      const needs = role ? `Needs the role '${role}' or higher.` : undefined;
      route.schema = {
        ...route.schema,
        security: [{ bearer: [] }],
        ...(needs && { description: [route.schema?.description, needs].filter(Boolean).join(' ') }),
      };
    });
    scope.addHook(
      'onRequest',
      scope.rateLimit({ max: deps.config.api.rateLimitPerMinute, timeWindow: 60_000 }),
    );
    scope.addHook('onRequest', deps.auth.hook());
    scope.addHook('onResponse', auditHook());
    // Bodies are JSON or nothing: anything else is a 415 problem, not a string handed to a schema.
    scope.removeContentTypeParser(['text/plain']);

    registerConnectorsRoutes(scope, deps);
    registerTokensRoutes(scope, deps);
    registerAccountsRoutes(scope, deps);
    registerAuditRoutes(scope);
    registerMetricsRoute(scope, deps);
    await scope.register(registerConnectorScope(deps), { prefix: '/connectors/:id' });
  };
}
