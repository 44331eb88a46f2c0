import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import type { Config } from '../config/config';
import type { Store } from '../store/database';
import { requireApiToken } from './auth';

/** What the API needs from the rest of the system (tests pass their own). */
export interface ApiDeps {
  config: Config;
  store: Store;
  temporal: Client;
}

/** Builds the Fastify app: health now; connectors, OAuth callback and webhooks register here as they land. */
export async function buildApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: deps.config.logLevel, redact: ['req.headers.authorization'] } });

  app.get('/healthz', async (_req, reply) => {
    const checks = {
      store: await check(() => sql`select 1`.execute(deps.store.db)),
      temporal: await check(() => deps.temporal.workflowService.getSystemInfo({})),
    };
    const ok = Object.values(checks).every((c) => c === 'ok');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });

  await app.register(
    (api, _options, done) => {
      api.addHook('onRequest', requireApiToken(deps.config.api.token));
      done();
    },
    { prefix: '/api' },
  );

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
