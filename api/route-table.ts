import type { RouteOptions } from 'fastify';
import { ROLES, type Role } from '../domain/roles';

/**
 * The routes anyone may call without the API token, by method and URL pattern. A route outside the `/api`
 * scope that is not listed here stops the server from starting (see RouteTable.assertGuarded).
 */
export const PUBLIC_ROUTES = [
  'GET /healthz',
  'GET /openapi.json',
  'GET /problems/:code',
  'GET /oauth/box/callback',
  'POST /webhooks/box',
] as const;

/**
 * The console's routes that answer without a session (the sign-in form, its post, single sign-on's start
 * and callback), by method and URL pattern. Every other route of the `/console` scope needs a session.
 */
export const CONSOLE_SIGN_IN_ROUTES = [
  'GET /console/sign-in',
  'POST /console/sign-in',
  'GET /console/sign-in/oidc',
  'GET /console/oidc/callback',
] as const;

/**
 * How a route is protected: recorded in its `config.access` by the scope that registers it. `session`:
 * the `/console` scope, a signed-in session; `sign-in`: a route of that scope listed in
 * CONSOLE_SIGN_IN_ROUTES, which answers without one; `codec`: the `/codec` scope (the Temporal payload codec
 * endpoint), the /api credential and a declared role, but for its CORS preflights (OPTIONS), which carry no
 * credential by the browser's rules and answer nothing but CORS headers.
 */
export type RouteAccess = 'public' | 'bearer' | 'session' | 'sign-in' | 'codec';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How the route is protected; set by the scope that registers it. */
    access?: RouteAccess;
    /** The least role a principal needs to call the route; every /api route declares one. */
    role?: Role;
    /**
     * The audit action of a state-changing route (e.g. 'connector.disconnect'); unset: derived from the
     * method and URL (api/audit.ts auditAction).
     */
    action?: string;
  }
}

/** A registered route: method, URL pattern, the access its scope gave it, and the role it declares. */
export interface RegisteredRoute {
  method: string;
  url: string;
  access?: RouteAccess;
  role?: Role;
}

/**
 * Every route the server registers (fed by a root `onRoute` hook), used to check at start-up that each one
 * is either in the bearer scope or listed public, and to tell 405 from 404 for an unknown method.
 */
export class RouteTable {
  private readonly options: RouteOptions[] = [];

  /** Records a route; `options.config.access` may still be set by a later (child scope) onRoute hook. */
  add(options: RouteOptions): void {
    this.options.push(options);
  }

  /** Every route, HEAD included (Fastify adds one for each GET). */
  routes(): RegisteredRoute[] {
    return this.options.flatMap((o) =>
      (Array.isArray(o.method) ? o.method : [o.method]).map((method) => ({
        method,
        url: o.url,
        access: o.config?.access,
        role: o.config?.role,
      })),
    );
  }

  /**
   * Throws unless every route is in the bearer scope (or the codec scope) and declares a role (`config.role`), is in the
   * console's session scope, or is listed in PUBLIC_ROUTES (registered public) or CONSOLE_SIGN_IN_ROUTES
   * (registered in the console scope).
   */
  assertGuarded(): void {
    const listed = new Set<string>(PUBLIC_ROUTES);
    const signIn = new Set<string>(CONSOLE_SIGN_IN_ROUTES);
    for (const r of this.routes()) {
      const name = `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url}`;
      if (r.access === 'bearer') {
        if (r.role && ROLES.includes(r.role)) continue;
        throw new Error(
          `Route ${r.method} ${r.url} declares no role: every /api route needs config: { role: 'viewer' | 'analyst' | 'admin' } (api/route-table.ts).`,
        );
      }
      if (r.access === 'codec') {
        if (r.method === 'OPTIONS' || (r.role && ROLES.includes(r.role))) continue;
        throw new Error(
          `Route ${r.method} ${r.url} declares no role: every /codec route but its preflights needs config: { role } (api/route-table.ts).`,
        );
      }
      if (r.access === 'session') continue;
      if (r.access === 'public' && listed.has(name)) continue;
      if (r.access === 'sign-in' && signIn.has(name)) continue;
      throw new Error(
        `Route ${r.method} ${r.url} is neither in the /api bearer scope nor a listed public route (api/route-table.ts).`,
      );
    }
  }

  /** The methods some route accepts for this decoded path (for 405 and its Allow header). */
  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const r of this.routes()) if (patternOf(r.url).test(path)) methods.add(r.method);
    return [...methods].sort();
  }
}

const patterns = new Map<string, RegExp>();

/** A URL pattern (`/api/connectors/:id`) as a regular expression over a decoded path. */
function patternOf(url: string): RegExp {
  let re = patterns.get(url);
  if (!re) {
    const body = url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    re = new RegExp(`^${body}$`);
    patterns.set(url, re);
  }
  return re;
}

/**
 * The path of a request target as the router sees it, decoded and folded (case, repeated slashes), so that
 * `/%61pi//Connectors` is recognised as being under `/api`. Only for deciding what to answer an unknown
 * route; routing itself is Fastify's.
 */
export function foldedPath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // a malformed escape: fold what was sent
  }
  return decoded.replace(/\/{2,}/g, '/').toLowerCase();
}

/** True when a (folded) path is under `/api` or `/codec` (the scopes that need the bearer credential). */
export function isApiPath(folded: string): boolean {
  return ['/api', '/codec'].some((scope) => folded === scope || folded.startsWith(`${scope}/`));
}
