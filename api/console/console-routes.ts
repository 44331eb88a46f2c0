import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import type { Client } from '@temporalio/client';
import type { KeyRing } from '../../box/token-cipher';
import type { Config } from '../../config/config';
import { AccountsRepository } from '../../store/accounts-repository';
import { ApiTokensRepository } from '../../store/api-tokens-repository';
import type { Store } from '../../store/database';
import { SessionsRepository } from '../../store/sessions-repository';
import type { ApiApp } from '../api-app';
import type { OAuthStateSigner } from '../oauth-state';
import { PROBLEMS, ProblemError, type ProblemCode } from '../problem';
import { CONSOLE_SIGN_IN_ROUTES, type RouteAccess } from '../route-table';
import {
  CONSOLE_PATH,
  CSRF_COOKIE,
  SESSION_COOKIE,
  clearSessionCookie,
  lookUpSession,
  consoleKey,
  cookieKeys,
  cookiesSecure,
  csrfUserInfo,
} from './console-session';
import { registerAppsRoutes } from './apps-routes';
import { registerDataRoutes } from './data-routes';
import { registerHomeRoutes } from './home-routes';
import { OIDC_CALLBACK_PATH, OidcSignIn } from './oidc-sign-in';
import { problemPage } from './pages';
import { registerSignInRoutes } from './sign-in-routes';

/** The sign-in routes that try a credential: rate limited per client by SIGN_IN_RATE_LIMIT. */
const SIGN_IN_ATTEMPTS = new Set<string>([
  'POST /console/sign-in',
  'GET /console/sign-in/oidc',
  'GET /console/oidc/callback',
] satisfies Array<(typeof CONSOLE_SIGN_IN_ROUTES)[number]>);

/** How often ended sessions are deleted (the lookup refuses them at once; this only keeps the table small). */
const SESSION_PURGE_MS = 3_600_000;

/** What the console scope needs. */
export interface ConsoleDeps {
  config: Config;
  store: Store;
  keys: KeyRing;
  /** The Temporal client the console's pages start, signal and query workflows with (as the API does). */
  temporal: Client;
  /** The OAuth state signer of the API (the console's wizard issues authorize URLs as the API does). */
  states: OAuthStateSigner;
}

/** What the console's route groups share. */
export interface ConsoleContext {
  config: Config;
  store: Store;
  temporal: Client;
  states: OAuthStateSigner;
  accounts: AccountsRepository;
  sessions: SessionsRepository;
  tokens: ApiTokensRepository;
  /** Set when single sign-on is configured. */
  oidc?: OidcSignIn;
}

/**
 * The console's CSP: the strict one of every other page (nothing loads from anywhere) except that its
 * forms may post to the console itself. Only this scope's pages carry it.
 */
export const CONSOLE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The `/console` scope: server-rendered pages for people. Every route registered in it needs a signed-in
 * session (its `onRequest` hook, whatever the path looks like), except the routes listed by name in
 * CONSOLE_SIGN_IN_ROUTES; every POST in it checks a CSRF token (a preHandler this scope adds to each POST
 * route as it is registered). Register it with `{ prefix: '/console' }`.
 */
export function consoleRoutes(deps: ConsoleDeps) {
  return async (scope: ApiApp): Promise<void> => {
    const { config } = deps;
    const oidc = config.console.oidc;
    const ctx: ConsoleContext = {
      config,
      store: deps.store,
      temporal: deps.temporal,
      states: deps.states,
      accounts: new AccountsRepository(deps.store.db),
      sessions: new SessionsRepository(deps.store.db),
      tokens: new ApiTokensRepository(deps.store.db),
      ...(oidc && {
        oidc: new OidcSignIn(oidc, `${config.api.publicBaseUrl.replace(/\/$/, '')}${OIDC_CALLBACK_PATH}`),
      }),
    };

    await scope.register(cookie, { secret: cookieKeys(deps.keys), hook: 'onRequest' });
    await scope.register(formbody, { bodyLimit: 16_384 });
    await scope.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: CSRF_COOKIE,
      cookieOpts: { path: CONSOLE_PATH, sameSite: 'strict', httpOnly: true, secure: cookiesSecure(config) },
      getUserInfo: csrfUserInfo,
      csrfOpts: { hmacKey: consoleKey(deps.keys.current, 'csrf') },
    });

    const checkCsrf: preHandlerHookHandler = (req, reply, done) => scope.csrfProtection(req, reply, done);
    const signIn = new Set<string>(CONSOLE_SIGN_IN_ROUTES);
    scope.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const names = methods.map((m) => `${m === 'HEAD' ? 'GET' : m} ${route.url}`);
      const access: RouteAccess = names.every((n) => signIn.has(n)) ? 'sign-in' : 'session';
      route.config = { ...route.config, access };
      // Pages for people, not API operations: not in /openapi.json.
      route.schema = { ...route.schema, hide: true };
      if (methods.includes('POST')) {
        const own = route.preHandler ? [route.preHandler].flat() : [];
        route.preHandler = [checkCsrf, ...own];
      }
    });

    // One limiter runs per request (@fastify/rate-limit skips any after the first): sign-in attempts (the
    // form's post, single sign-on's start and callback) get the sign-in budget (SIGN_IN_RATE_LIMIT), every
    // other page (the sign-in form itself included) the API's. Decided by the route, not the URL.
    const pageLimit = scope.rateLimit({ max: config.api.rateLimitPerMinute, timeWindow: 60_000 });
    const signInLimit = scope.rateLimit({ max: config.console.signInRateLimitPerMinute, timeWindow: 60_000 });
    scope.addHook('onRequest', async function limit(req, reply) {
      const attempt = SIGN_IN_ATTEMPTS.has(`${req.method} ${req.routeOptions.url}`);
      const limiter = attempt ? signInLimit : pageLimit;
      await limiter.call(this, req, reply);
    });
    scope.addHook('onRequest', async (req, reply) => {
      void reply.header('content-security-policy', CONSOLE_CSP).header('cache-control', 'no-store');
      const token = req.cookies[SESSION_COOKIE];
      if (token) {
        const found = await lookUpSession(ctx.sessions, config, token);
        if (found) {
          req.consoleSession = found.session;
          req.principal = found.principal;
        } else clearSessionCookie(reply, config);
      }
      if (req.routeOptions.config.access === 'sign-in' || req.consoleSession) return;
      if (req.method === 'GET' || req.method === 'HEAD')
        return reply.redirect(`/console/sign-in${token ? '?reason=expired' : ''}`, 303);
      throw new ProblemError(
        'unauthorized',
        token ? 'Your session has ended (signed out, expired or idle too long).' : 'You are not signed in.',
      );
    });

    // Housekeeping: sessions nobody came back to are deleted an hour or so after they ended.
    const purge = () =>
      ctx.sessions.purgeExpired(config.console.sessionIdleMs).catch((err: unknown) => {
        scope.log.warn({ err }, 'purging ended console sessions failed');
      });
    const purger = setInterval(() => void purge(), SESSION_PURGE_MS);
    purger.unref();
    scope.addHook('onClose', (_instance, done) => {
      clearInterval(purger);
      done();
    });

    scope.setErrorHandler((err: FastifyError, req, reply) => answerError(err, req, reply));

    registerSignInRoutes(scope, ctx);
    registerHomeRoutes(scope, ctx);
    registerAppsRoutes(scope, ctx);
    registerDataRoutes(scope, ctx);
  };
}

/** Every error of the console as a problem page (HTML: a browser reads it), with what to do next. */
function answerError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  let code: ProblemCode;
  let detail: string;
  let nextStep: string | undefined;
  let status: number | undefined;
  if (err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET') {
    code = 'forbidden';
    detail =
      'This form was refused: it did not carry the security token of a console page this browser opened (CSRF protection).';
    nextStep = 'Go back, reload the page, and send the form again.';
  } else if (err instanceof ProblemError) {
    code = err.code;
    detail = err.detail;
    status = err.extra.status;
    if (err.extra.headers) void reply.headers(err.extra.headers);
    if (code === 'unauthorized') nextStep = 'Sign in again.';
  } else if (err.validation) {
    code = 'invalid-request';
    detail = `The form is not valid: ${err.message}`;
  } else if (err.statusCode === 413) {
    code = 'payload-too-large';
    detail = 'The form is too large.';
  } else if (err.statusCode === 415) {
    code = 'unsupported-media-type';
    detail = 'Console forms are sent as application/x-www-form-urlencoded.';
  } else {
    req.log.error({ err }, 'console request failed');
    code = 'internal';
    detail = 'Something went wrong on the server: see the API log.';
  }
  const httpStatus = status ?? PROBLEMS[code].status;
  return reply
    .code(httpStatus)
    .type('text/html; charset=utf-8')
    .send(
      problemPage({
        title: PROBLEMS[code].title,
        code,
        status: httpStatus,
        detail,
        nextStep,
        next: req.consoleSession
          ? { href: '/console', text: 'Back to the console' }
          : { href: '/console/sign-in', text: 'Sign in' },
      }),
    );
}
