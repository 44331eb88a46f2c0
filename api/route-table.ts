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

/** How a route is protected: recorded in its `config.access` by the scope that registers it. */
export type RouteAccess = 'public' | 'bearer';

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
   * Throws unless every route is in the bearer scope and declares a role (`config.role`), or is listed in
   * PUBLIC_ROUTES and registered public.
   */
  assertGuarded(): void {
    const listed = new Set<string>(PUBLIC_ROUTES);
    for (const r of this.routes()) {
      const name = `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url}`;
      if (r.access === 'bearer') {
        if (r.role && ROLES.includes(r.role)) continue;
        throw new Error(
          `Route ${r.method} ${r.url} declares no role: every /api route needs config: { role: 'viewer' | 'analyst' | 'admin' } (api/route-table.ts).`,
        );
      }
      if (r.access === 'public' && listed.has(name)) continue;
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

/** True when a (folded) path is under `/api`. */
export function isApiPath(folded: string): boolean {
  return folded === '/api' || folded.startsWith('/api/');
}
