import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import { resolveKeyRing } from '../box/token-cipher';
import type { Config } from '../config/config';
import type { Store } from '../store/database';
import { ConnectorsRepository } from '../store/connectors-repository';
import { OAuthStatesRepository } from '../store/oauth-states-repository';
import { AccountsRepository } from '../store/accounts-repository';
import { ApiTokensRepository } from '../store/api-tokens-repository';
import { AuditRepository } from '../store/audit-repository';
import { payloadCodecOf } from '../config/payload-codec';
import { apiRoutes } from './api-routes';
import { codecRoutes } from './codec-routes';
import { CODEC_SESSION_COOKIE } from './console/console-session';
import { SessionsRepository } from '../store/sessions-repository';
import { consoleRoutes } from './console/console-routes';
import { decorateAudit } from './audit';
import { Authenticator, unauthorized } from './auth';
import { clientErrorHandler, problemErrorHandler } from './error-handler';
import { OAuthStateSigner } from './oauth-state';
import { ProblemError, pathOf, sendProblem } from './problem';
import { publicRoutes } from './public-routes';
import { apiLoggerOptions } from './request-log';
import { RouteTable, foldedPath, isApiPath, type RegisteredRoute } from './route-table';

/** What the API needs from the rest of the system (tests pass their own). */
export interface ApiDeps {
  config: Config;
  store: Store;
  temporal: Client;
  /** Options for tests: how long the OAuth callback waits for the API test. */
  outcomeWaitMs?: number;
  /** Options for tests: where the logger writes (default stdout). */
  logStream?: NodeJS.WritableStream;
  /** Who this API process is, as GET /healthz says it (the `npm start` launcher sets one per stack). */
  instance?: string;
}

const tables = new WeakMap<FastifyInstance, RouteTable>();

/** Every route a server built by buildApiServer registered, with its access (for tests and docs checks). */
export function routesOf(app: FastifyInstance): RegisteredRoute[] {
  const table = tables.get(app);
  if (!table) throw new Error('routesOf: not a server built by buildApiServer');
  return table.routes();
}

/** Largest JSON body of an /api request. */
const BODY_LIMIT = 1_048_576;
/** Longest path parameter (connector ids are 12 characters): longer ones are answered 414. */
const MAX_PARAM_LENGTH = 200;

/**
 * Builds the Fastify app. Four scopes and nothing else: the public routes (each listed by name in
 * PUBLIC_ROUTES), `/api`, whose hooks rate limit, then check the credential (the bootstrap API_TOKEN or a
 * personal token) and the role the route declares, and audit every state-changing request, `/codec` (the
 * Temporal payload codec endpoint for the Web UI and CLI: the same credential, CORS for the Web UI), and `/console`,
 * whose hooks need a signed-in session (but for CONSOLE_SIGN_IN_ROUTES) and a CSRF token on every POST. The
 * route table refuses to start a server with a route in none, or an /api route without a role. Every error
 * is a problem+json body (an HTML problem page in the console).
 */
export function buildApiServer(deps: ApiDeps): FastifyInstance {
  const { config, store, temporal } = deps;
  const tokens = new ApiTokensRepository(store.db);
  const auth = new Authenticator({
    bootstrapToken: config.api.token,
    bootstrapDisabled: config.api.tokenDisabled,
    tokens,
  });
  const routes = new RouteTable();
  const app = Fastify({
    logger: apiLoggerOptions(config.logLevel, deps.logStream, config.logFormat),
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    clientErrorHandler,
    // Codec clients append `/decode` to the endpoint they were given: `.../codec/` + `/decode` is one path.
    rewriteUrl: (req) => (req.url ?? '/').replace(/^\/codec\/{2,}/, '/codec/'),
    // Router-level refusals (a path segment too long, a malformed escape) come before any route's hooks:
    // under /api they still need the token, so that nothing there answers anything but 401 without it.
    frameworkErrors: (err, req, reply) => {
      void (async () => {
        const refused = isApiPath(foldedPath(pathOf(req.url))) && !(await auth.accepts(req));
        await problemErrorHandler(refused ? unauthorized() : err, req, reply);
      })();
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemErrorHandler);
  decorateAudit(app, new AuditRepository(store.db));
  app.addHook('onRoute', (route) => routes.add(route));
  app.addHook('onReady', (done) => {
    try {
      routes.assertGuarded();
      done();
    } catch (err) {
      done(err as Error);
    }
  });

  const keys = resolveKeyRing(config);
  const states = new OAuthStateSigner(keys, new OAuthStatesRepository(store.db));
  const connectors = new ConnectorsRepository(store.db);

  void app.register(helmet, {
    // The only pages are small self-contained ones (OAuth outcome, problem types, the console): nothing else
    // may load. The console's pages replace this CSP with one whose forms may post to the console itself.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  void app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) =>
      new ProblemError('rate-limited', `Too many requests: try again in ${context.after}.`),
  });
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'connect-box API',
        version: '0.1.0',
        description:
          'Connect Box enterprises, follow their scan, receive Box webhooks. Errors are RFC 9457 problems (application/problem+json).',
      },
      servers: [{ url: config.api.publicBaseUrl }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'API_TOKEN (the bootstrap admin) or a personal API token (cbx_pat_...)',
          },
          codecSession: {
            type: 'apiKey',
            in: 'cookie',
            name: CODEC_SESSION_COOKIE,
            description:
              'A console session (set at sign-in to /console, sent to /codec only): POST /codec/decode only',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  void app.register(
    publicRoutes({
      config,
      store,
      temporal,
      states,
      outcomeWaitMs: deps.outcomeWaitMs,
      instance: deps.instance,
    }),
  );
  void app.register(
    apiRoutes({
      config,
      store,
      temporal,
      connectors,
      states,
      auth,
      tokens,
      accounts: new AccountsRepository(store.db),
    }),
    { prefix: '/api' },
  );
  void app.register(
    codecRoutes({
      config,
      auth,
      codec: payloadCodecOf(config),
      sessions: new SessionsRepository(store.db),
    }),
    { prefix: '/codec' },
  );
  void app.register(consoleRoutes({ config, store, keys, temporal, states }), { prefix: '/console' });

  // After the plugins above have loaded (app.rateLimit comes from one of them).
  void app.after(() =>
    app.setNotFoundHandler(
      { preHandler: app.rateLimit({ max: config.api.rateLimitPerMinute, timeWindow: 60_000 }) },
      async (req, reply) => {
        const path = foldedPath(pathOf(req.url));
        // Whatever the spelling (/API, //api, %61pi), nothing under /api says more than 401 without the token.
        if (isApiPath(path) && !(await auth.accepts(req)))
          return problemErrorHandler(unauthorized(), req, reply);
        const allowed = routes.methodsFor(decodedPath(pathOf(req.url)));
        if (allowed.length > 0)
          return sendProblem(req, reply, 'method-not-allowed', `This path accepts ${allowed.join(', ')}.`, {
            headers: { allow: allowed.join(', ') },
          });
        return sendProblem(req, reply, 'not-found', 'There is no such route; see /openapi.json.');
      },
    ),
  );
  tables.set(app, routes);
  return app;
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
