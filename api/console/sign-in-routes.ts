import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isRole } from '../../domain/roles';
import { DuplicateLoginError, signInRefusal, type UserRecord } from '../../store/accounts-repository';
import type { ApiApp } from '../api-app';
import { ProblemError } from '../problem';
import { recordAudit } from '../audit';
import type { ConsoleContext } from './console-routes';
import { clearSessionCookie, cookiesSecure, setSessionCookie, SESSION_COOKIE } from './console-session';
import {
  OIDC_COOKIE,
  OIDC_TRANSACTION_MS,
  OidcRefusal,
  decodeTransaction,
  encodeTransaction,
  mapRole,
} from './oidc-sign-in';
import { consolePage, csrfField, html, problemPage } from './pages';
import { signInWithPassword } from './password-sign-in';

/** What every failed password sign-in says, whatever the reason (no account, wrong password, locked). */
export function signInFailedMessage(ctx: ConsoleContext): string {
  const minutes = Math.round(ctx.config.console.lockForMs / 60_000);
  return (
    'The login or the password is wrong. After ' +
    `${ctx.config.console.lockAfterFailures} failed attempts in a row an account is locked for ${minutes} minutes.`
  );
}

const signInQuery = z.object({ reason: z.enum(['signed-out', 'expired']).optional() });
const signInBody = z.object({
  login: z.string().max(200).default(''),
  password: z.string().max(1024).default(''),
  _csrf: z.string().max(200).optional(),
});

/**
 * Sign-in and sign-out: the password form (rate limited per client, lockout per account, one message for
 * every failure), single sign-on's start and callback (when configured), and sign-out.
 */
export function registerSignInRoutes(scope: ApiApp, ctx: ConsoleContext): void {
  const { config } = ctx;

  scope.get('/sign-in', { schema: { querystring: signInQuery } }, async (req, reply) => {
    if (req.consoleSession) return reply.redirect('/console', 303);
    const notice =
      req.query.reason === 'signed-out'
        ? 'You are signed out.'
        : req.query.reason === 'expired'
          ? 'Your session has ended: sign in again.'
          : undefined;
    return sendSignInPage(req, reply, ctx, { notice });
  });

  scope.post('/sign-in', { schema: { body: signInBody } }, async (req, reply) => {
    const outcome = await signInWithPassword(ctx, req.body.login, req.body.password);
    if (!outcome.ok) {
      await recordAudit(req, {
        action: 'session.sign-in',
        outcome: 'denied',
        status: 401,
        target: outcome.user?.login,
        detail: { method: 'password', reason: outcome.reason },
      });
      if (outcome.lockedNow)
        await recordAudit(req, {
          action: 'session.lockout',
          outcome: 'denied',
          status: 401,
          target: outcome.user?.login,
          detail: {
            failures: config.console.lockAfterFailures,
            lockedUntil: outcome.lockedUntil,
          },
        });
      return sendSignInPage(req, reply.code(401), ctx, {
        error: signInFailedMessage(ctx),
        login: req.body.login,
      });
    }
    await startSession(req, reply, ctx, outcome.user, 'password');
    return reply.redirect('/console', 303);
  });

  scope.post('/sign-out', async (req, reply) => {
    const session = req.consoleSession!;
    await ctx.sessions.end(session.idHash);
    await recordAudit(req, {
      action: 'session.sign-out',
      outcome: 'ok',
      status: 303,
      target: session.user.login,
    });
    clearSessionCookie(reply, config);
    return reply.redirect('/console/sign-in?reason=signed-out', 303);
  });

  scope.get('/sign-in/oidc', async (_req, reply) => {
    if (!ctx.oidc)
      throw new ProblemError('not-found', 'Single sign-on is not configured on this connect-box.');
    const { url, transaction } = await ctx.oidc.start().catch(rethrowRefusal);
    // SameSite=Lax, not Strict: the provider sends the browser back with a cross-site navigation.
    void reply.setCookie(OIDC_COOKIE, encodeTransaction(transaction), {
      path: '/console/oidc',
      httpOnly: true,
      sameSite: 'lax',
      secure: cookiesSecure(config),
      signed: true,
      maxAge: OIDC_TRANSACTION_MS / 1000,
    });
    return reply.redirect(url, 303);
  });

  scope.get(
    '/oidc/callback',
    { schema: { querystring: z.record(z.string(), z.string().max(4096)) } },
    async (req, reply) => {
      if (!ctx.oidc)
        throw new ProblemError('not-found', 'Single sign-on is not configured on this connect-box.');
      const raw = req.cookies[OIDC_COOKIE];
      const unsigned = raw ? req.unsignCookie(raw) : undefined;
      const transaction = unsigned?.valid && unsigned.value ? decodeTransaction(unsigned.value) : undefined;
      // Single use: whatever happens next, this browser's sign-on is over.
      void reply.clearCookie(OIDC_COOKIE, { path: '/console/oidc' });
      const query = new URLSearchParams(req.query);
      const refuse = async (
        status: 400 | 403 | 409 | 503,
        reason: string,
        detail: string,
        user?: UserRecord,
      ) => {
        await recordAudit(req, {
          action: 'session.sign-in',
          outcome: 'denied',
          status,
          target: user?.login,
          detail: { method: 'oidc', reason },
        });
        return sendRefusalPage(reply, status, detail);
      };
      let identity;
      try {
        identity = await ctx.oidc.finish(query, transaction);
      } catch (err) {
        if (!(err instanceof OidcRefusal)) throw err;
        req.log.warn({ err: err.cause ?? err, reason: err.reason }, 'single sign-on refused');
        const status = err.reason === 'provider-error' ? 403 : err.reason === 'unavailable' ? 503 : 400;
        return refuse(status, err.reason, err.detail);
      }
      const role = mapRole(identity.roleValues, ctx.oidc.settings);
      if (!role)
        return refuse(
          403,
          'no-role',
          `The identity provider gives ${identity.login} no connect-box role: its claim '${ctx.oidc.settings.roleClaim}' is ` +
            `${identity.roleValues.length ? `'${identity.roleValues.join("', '").slice(0, 200)}', which OIDC_ROLE_MAP does not map` : 'absent'}` +
            ' (and OIDC_DEFAULT_ROLE is not set). Ask an administrator to give you a role at the identity provider.',
        );
      let user: UserRecord;
      try {
        user = await ctx.accounts.upsertOidcUser({ ...identity, role });
      } catch (err) {
        if (!(err instanceof DuplicateLoginError)) throw err;
        return refuse(
          409,
          'login-taken',
          `The login ${identity.login} is already a local connect-box account, which single sign-on does not take over. Ask an administrator.`,
        );
      }
      if (signInRefusal(user) === 'disabled')
        return refuse(403, 'disabled', 'This account is disabled: ask an administrator.', user);
      await startSession(req, reply, ctx, user, 'oidc');
      // A page, not a redirect: the session cookie is SameSite=Strict, and a browser does not send it on a
      // redirect that continues the provider's cross-site navigation. This page's own navigation is same-site.
      return reply.type('text/html; charset=utf-8').send(
        consolePage({
          title: 'Signed in',
          head: html`<meta http-equiv="refresh" content="0;url=/console" />`,
          body: html`<p id="message">Signed in as ${user.login}.</p>
            <p><a id="continue" href="/console">Continue to the console</a></p>`,
        }),
      );
    },
  );
}

/** Starts a session for the user (a new id: any session this browser had ends), audits it, sets the cookie. */
async function startSession(
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: ConsoleContext,
  user: UserRecord,
  method: 'password' | 'oidc',
): Promise<void> {
  if (req.consoleSession) await ctx.sessions.end(req.consoleSession.idHash);
  const previous = req.cookies[SESSION_COOKIE];
  if (previous && !req.consoleSession) clearSessionCookie(reply, ctx.config);
  if (method === 'oidc') await ctx.accounts.recordSignIn(user.id);
  const session = await ctx.sessions.create({
    userId: user.id,
    lifetimeMs: ctx.config.console.sessionLifetimeMs,
    ip: req.ip,
    userAgent: req.headers['user-agent'],
  });
  req.consoleSession = undefined;
  const role = isRole(user.role) ? user.role : 'viewer';
  await recordAudit(req, {
    action: 'session.sign-in',
    outcome: 'ok',
    status: method === 'oidc' ? 200 : 303,
    actor: { kind: 'session', userId: user.id, login: user.login, role },
    target: user.login,
    detail: {
      method,
      role,
      expiresAt: session.expiresAt.toISOString(),
    },
  });
  setSessionCookie(reply, ctx.config, session.token);
}

function rethrowRefusal(err: unknown): never {
  if (err instanceof OidcRefusal) throw new ProblemError('unavailable', err.detail);
  throw err;
}

function sendSignInPage(
  _req: FastifyRequest,
  reply: FastifyReply,
  ctx: ConsoleContext,
  input: { notice?: string; error?: string; login?: string },
): FastifyReply {
  const token = reply.generateCsrf({ userInfo: 'anonymous' });
  const notice = input.notice ? html`<p class="notice" id="notice">${input.notice}</p>` : html``;
  const error = input.error ? html`<p class="error-text" id="error" role="alert">${input.error}</p>` : html``;
  const sso = ctx.oidc
    ? html`<p>or <a id="sign-in-oidc" href="/console/sign-in/oidc">sign in with single sign-on</a></p>`
    : html``;
  return reply.type('text/html; charset=utf-8').send(
    consolePage({
      title: 'Sign in',
      body: html`${notice}${error}
        <form method="post" action="/console/sign-in">
          ${csrfField(token)} <label for="login">Login</label
          ><input
            type="text"
            id="login"
            name="login"
            autocomplete="username"
            value="${input.login ?? ''}"
            required
          />
          <label for="password">Password</label
          ><input type="password" id="password" name="password" autocomplete="current-password" required />
          <div><button id="submit" type="submit">Sign in</button></div>
        </form>
        ${sso}`,
    }),
  );
}

function sendRefusalPage(reply: FastifyReply, status: 400 | 403 | 409 | 503, detail: string): FastifyReply {
  const code =
    status === 400
      ? 'invalid-request'
      : status === 403
        ? 'forbidden'
        : status === 409
          ? 'conflict'
          : 'unavailable';
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(
      problemPage({
        title: 'Single sign-on refused',
        code,
        status,
        detail,
        nextStep: 'Start the sign-in again from the sign-in page.',
        next: { href: '/console/sign-in', text: 'Sign in' },
      }),
    );
}
