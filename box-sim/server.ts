/** The Fastify server: body parsers, Box-style errors, request counting, and both route sets. */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerApiRoutes, requestUser, sendFault } from './api-routes';
import { registerControlRoutes } from './control-routes';
import { BoxApiFault, OAuthFault } from './errors';
import type { GroundTruth } from './ground-truth';
import type { SimStats } from './realism';
import type { SimState } from './state';

/** Builds (does not start) the server. */
export function buildServer(state: SimState, manifest: GroundTruth, stats: () => SimStats): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024, forceCloseConnections: true });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, raw, done) => {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new BoxApiFault(400, 'bad_request', 'The request body is not valid JSON'), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, raw, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof raw === 'string' ? raw : raw.toString('utf8'))));
  });

  app.addHook('onResponse', (req, reply, done) => {
    const endpoint = (req.routeOptions.config as { endpoint?: string } | undefined)?.endpoint;
    if (endpoint) state.stats.count(endpoint, requestUser.get(req) ?? 'anonymous', reply.statusCode);
    done();
  });

  app.setErrorHandler((err, _req, reply) => {
    const sent = sendFault(reply, err);
    if (sent) return sent;
    if (err instanceof OAuthFault)
      return reply.code(err.status).send({ error: err.error, error_description: err.description });
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500)
      return reply
        .code(status)
        .send(
          new BoxApiFault(status, 'bad_request', err instanceof Error ? err.message : String(err)).body(),
        );
    console.error('box-sim: unexpected error', err);
    return reply
      .code(500)
      .send(new BoxApiFault(500, 'internal_server_error', 'Internal Server Error').body());
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send(
        new BoxApiFault(
          404,
          'not_found',
          `box-sim does not serve ${req.method} ${req.url.split('?')[0]}: see box-sim/README.md for the supported endpoints`,
        ).body(),
      ),
  );

  registerApiRoutes(app, state);
  registerControlRoutes(app, state, manifest, stats);
  return app;
}
