import { hkdfSync } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KeyRing } from '../../box/token-cipher';
import type { Config } from '../../config/config';
import type { ActiveSession, SessionsRepository } from '../../store/sessions-repository';
import type { Principal } from '../principal';

/** Where the console lives; its cookies are sent to this path only. */
export const CONSOLE_PATH = '/console';
/** The session cookie: a random 256-bit id whose SHA-256 is the `sessions` row (migration 012). */
export const SESSION_COOKIE = 'cb_session';
/** Where the Temporal payload codec endpoint lives (api/codec-routes.ts). */
export const CODEC_PATH = '/codec';
/**
 * The session cookie's twin for the codec endpoint: the same value, sent to /codec only, so that the
 * Temporal Web UI of a signed-in browser ("Include cross-origin credentials") decodes payloads. Two cookies
 * with narrow paths, not one with Path=/: every other route of this origin (/api, /metrics, /webhooks, ...)
 * never receives the session.
 */
export const CODEC_SESSION_COOKIE = 'cb_codec_session';
/** The session's cookies: each name with the one path it is sent to. Set together, cleared together. */
const SESSION_COOKIES = [
  { name: SESSION_COOKIE, path: CONSOLE_PATH },
  { name: CODEC_SESSION_COOKIE, path: CODEC_PATH },
] as const;
/** The CSRF secret cookie (@fastify/csrf-protection); tokens are bound to the session too. */
export const CSRF_COOKIE = 'cb_csrf';

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session of the request, when its cookie names a valid one. */
    consoleSession?: ActiveSession;
  }
}

/**
 * Whether the console's cookies carry `Secure`: when PUBLIC_BASE_URL is https. A plain-http base URL is
 * only a loopback one in practice (outside loopback the API refuses to start without ENCRYPTION_KEY, and a
 * console served over plain http elsewhere is not a supported setup), and a browser drops a `Secure`
 * cookie set over http: so there the cookie is sent without it. Decided from the configuration, not from
 * the request, so that a TLS-terminating proxy in front of the API does not turn it off.
 */
export function cookiesSecure(config: Config): boolean {
  return new URL(config.api.publicBaseUrl).protocol === 'https:';
}

/**
 * The attributes of the session's cookies (the one source of them): HttpOnly, SameSite=Strict, Secure
 * over https, and the path: /console for `cb_session`, /codec for `cb_codec_session`.
 */
export function sessionCookieOptions(config: Config, path: string = CONSOLE_PATH): CookieSerializeOptions {
  return { path, httpOnly: true, sameSite: 'strict', secure: cookiesSecure(config) };
}

/**
 * Sets the session's cookies (console and codec, the same value): no Max-Age (a browser session), the
 * server ends the session at its absolute end.
 */
export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  for (const c of SESSION_COOKIES) void reply.setCookie(c.name, token, sessionCookieOptions(config, c.path));
}

/** Clears the session's cookies (both: sign-out, an ended session). */
export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  for (const c of SESSION_COOKIES) void reply.clearCookie(c.name, sessionCookieOptions(config, c.path));
}

/**
 * The console's session lookup (the console's pages and the codec endpoint share it): the session of a
 * cookie value while it is valid (absolute and idle expiry, user not disabled: SessionsRepository.use),
 * with the principal it acts as (the user's role as the users table says now). `touch: false` checks
 * without restarting the idle clock.
 */
export async function lookUpSession(
  sessions: SessionsRepository,
  config: Config,
  token: string,
  options: { touch?: boolean } = {},
): Promise<{ session: ActiveSession; principal: Principal } | undefined> {
  const session = await sessions.use(token, config.console.sessionIdleMs, new Date(), options.touch ?? true);
  if (!session) return undefined;
  return {
    session,
    principal: {
      kind: 'session',
      userId: session.user.id,
      login: session.user.login,
      role: session.user.role,
    },
  };
}

/** What the CSRF token of this request is bound to: its session, or 'anonymous' before sign-in. */
export function csrfUserInfo(req: FastifyRequest): string {
  return req.consoleSession ? `session:${req.consoleSession.idHash}` : 'anonymous';
}

/** A key of the console, derived (HKDF) from a token key: CSRF binding, signed cookies. */
export function consoleKey(key: Buffer, purpose: 'csrf' | 'cookies'): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `connect-box console ${purpose}`, 32));
}

/** The keys signing the console's cookies: the current key's signs, older keys' still verify (rotation). */
export function cookieKeys(keys: KeyRing): Buffer[] {
  return keys.all().map((k) => consoleKey(k, 'cookies'));
}
