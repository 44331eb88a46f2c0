/**
 * The Fastify server: body parsers, Box-style errors, one request ID per request (body, header, log
 * line), request counting, and both route sets.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { answeredCode, registerApiRoutes, requestUser, sendFault } from './api-routes';
import { registerControlRoutes } from './control-routes';
import { OAuthFault, boxErrors, newRequestId } from './errors';
import type { GroundTruth } from './ground-truth';
import type { SimStats } from './realism';
import type { SimState } from './state';
import { boxSimLogOptions } from './log-options';

/** The header Box puts its request ID in; box-sim sends it on every response. */
export const REQUEST_ID_HEADER = 'box-request-id';

/** Builds (does not start) the server. */
export function buildServer(state: SimState, manifest: GroundTruth, stats: () => SimStats): FastifyInstance {
  const { logLevel, logDestination } = state.options;
  const app = Fastify({
    logger: { ...boxSimLogOptions(logLevel), ...(logDestination ? { stream: logDestination } : {}) },
    // The ID is box-sim's own, never the caller's: a client cannot make two log lines look alike.
    genReqId: () => newRequestId(),
    // One line per request (below) instead of Fastify's "incoming" and "completed" pair.
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    bodyLimit: 10 * 1024 * 1024,
    forceCloseConnections: true,
  });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, raw, done) => {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(boxErrors.invalidJson(), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, raw, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof raw === 'string' ? raw : raw.toString('utf8'))));
  });

  // Uploads (POST {uploadUrl}/2.0/files/content): the raw bytes; the route splits the parts.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_req, raw, done) => {
    done(null, raw);
  });

  app.addHook('onRequest', (req, reply, done) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const endpoint = (req.routeOptions.config as { endpoint?: string } | undefined)?.endpoint;
    const user = requestUser.get(req);
    if (endpoint) state.stats.count(endpoint, user ?? 'anonymous', reply.statusCode);
    // The path only: the query can carry an access token (GET /2.0/files/:id/content?access_token=).
    const line = {
      method: req.method,
      path: req.url.split('?')[0],
      status: reply.statusCode,
      ...(user ? { user } : {}),
      ...(answeredCode.has(req) ? { code: answeredCode.get(req) } : {}),
      ms: Math.round(reply.elapsedTime),
    };
    if (reply.statusCode >= 400) req.log.warn(line, 'box-sim answered an error');
    else req.log.info(line, 'box-sim answered');
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const sent = sendFault(reply, err);
    if (sent) return sent;
    if (err instanceof OAuthFault) {
      answeredCode.set(req, err.error);
      return reply.code(err.status).send({ error: err.error, error_description: err.description });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500)
      return sendFault(
        reply,
        boxErrors.rejectedRequest(status, err instanceof Error ? err.message : String(err)),
      );
    req.log.error({ err }, 'box-sim: unexpected error');
    return sendFault(reply, boxErrors.internal());
  });
  app.setNotFoundHandler((req, reply) =>
    sendFault(reply, boxErrors.notServed(req.method, req.url.split('?')[0]!)),
  );

  registerApiRoutes(app, state);
  registerControlRoutes(app, state, manifest, stats);
  return app;
}
