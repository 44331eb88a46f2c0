import { hkdfSync } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KeyRing } from '../../box/token-cipher';
import type { Config } from '../../config/config';
import type { ActiveSession } from '../../store/sessions-repository';

/** Where the console lives; its cookies are sent to this path only. */
export const CONSOLE_PATH = '/console';
/** The session cookie: a random 256-bit id whose SHA-256 is the `sessions` row (migration 012). */
export const SESSION_COOKIE = 'cb_session';
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

/** The attributes of the session cookie: HttpOnly, SameSite=Strict, Path=/console, Secure over https. */
export function sessionCookieOptions(config: Config): CookieSerializeOptions {
  return { path: CONSOLE_PATH, httpOnly: true, sameSite: 'strict', secure: cookiesSecure(config) };
}

/** Sets the session cookie: no Max-Age (a browser session), the server ends it at its absolute end. */
export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  void reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(config));
}

/** Clears the session cookie. */
export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  void reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(config));
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
