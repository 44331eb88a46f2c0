import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import { resolveEncryptionKey } from '../box/token-cipher';
import type { Config } from '../config/config';
import type { Store } from '../store/database';
import { ConnectorsRepository } from '../store/connectors-repository';
import { OAuthStatesRepository } from '../store/oauth-states-repository';
import { requireApiToken } from './auth';
import { registerActivitiesRoutes } from './activities-routes';
import { registerConnectorsRoutes } from './connectors-routes';
import { registerScanRoutes } from './scan-routes';
import { registerWebhookRoute } from './webhooks-route';
import { OAuthStateSigner } from './oauth-state';
import { registerOAuthCallbackRoute } from './oauth-callback-route';
import { openApiDocument } from './openapi';

/** What the API needs from the rest of the system (tests pass their own). */
export interface ApiDeps {
  config: Config;
  store: Store;
  temporal: Client;
  /** Options for tests: how long the OAuth callback waits for the API test. */
  outcomeWaitMs?: number;
}

/** Builds the Fastify app: health, OpenAPI, connectors API (bearer token), OAuth callback. */
export function buildApiServer(deps: ApiDeps): FastifyInstance {
  const { config, store, temporal } = deps;
  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization'] },
    bodyLimit: 1_048_576,
  });
  const states = new OAuthStateSigner(resolveEncryptionKey(config), new OAuthStatesRepository(store.db));
  const connectors = new ConnectorsRepository(store.db);

  const checkToken = requireApiToken(config.api.token);
  app.addHook('onRequest', (req, reply, done) =>
    req.url.startsWith('/api/') ? checkToken.call(app, req, reply, done) : done(),
  );
  // Whatever goes wrong inside, the caller gets JSON with a message, and bad JSON is a 400, not a 500.
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error(err);
    void reply.code(status).send({
      error: status === 500 ? 'internal' : 'bad_request',
      message: status === 500 ? 'Internal error; see the API log.' : err.message,
    });
  });

  app.get('/healthz', async (_req, reply) => {
    const checks = {
      store: await check(() => sql`select 1`.execute(store.db)),
      temporal: await check(() => temporal.workflowService.getSystemInfo({})),
    };
    const ok = Object.values(checks).every((c) => c === 'ok');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });
  app.get('/openapi.json', () => openApiDocument(config.api.publicBaseUrl));

  registerConnectorsRoutes(app, { config, connectors, temporal, states });
  registerActivitiesRoutes(app, { store, connectors });
  registerScanRoutes(app, { store, connectors, temporal });
  registerWebhookRoute(app, { config, store, temporal });
  registerOAuthCallbackRoute(app, { temporal, states, outcomeWaitMs: deps.outcomeWaitMs });
  return app;
}

async function check(probe: () => Promise<unknown>): Promise<string> {
  try {
    await probe();
    return 'ok';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
