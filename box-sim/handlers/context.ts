/** What every API handler receives: the model, the caller, and the query. */
import type { Enterprise, SimUser } from '../enterprise';
import { boxErrors } from '../errors';

/** The authenticated call a handler serves. */
export interface ApiContext {
  readonly enterprise: Enterprise;
  /** Reject unsupported parameters and fields instead of ignoring them. */
  readonly strict: boolean;
  readonly baseUrl: string;
  /** The user the access token belongs to. */
  readonly tokenUser: SimUser;
  /** The user the call acts as (`As-User`), else the token's user. */
  readonly actingUser: SimUser;
  /** The OAuth client that holds the token. */
  readonly clientId: string;
  readonly now: () => number;
}

/** Query parameters as Fastify parses them. */
export type Query = Record<string, string | string[] | undefined>;

/** One value of a query parameter (the first when repeated). */
export function queryValue(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Parses `limit`: default, maximum (400 above it in strict mode, clamped otherwise). */
export function parseLimit(ctx: ApiContext, query: Query, fallback: number, max: number): number {
  const raw = queryValue(query, 'limit');
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw boxErrors.invalidParameter(
      'limit',
      `Invalid value '${raw}' for limit: a positive integer is required`,
    );
  if (n > max) {
    if (ctx.strict)
      throw boxErrors.invalidParameter('limit', `Invalid value '${raw}' for limit: the maximum is ${max}`);
    return max;
  }
  return n;
}

/** Parses `offset` (default 0). */
export function parseOffset(query: Query): number {
  const raw = queryValue(query, 'offset');
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw boxErrors.invalidParameter('offset', `Invalid value '${raw}' for offset`);
  return n;
}

/** Markers are opaque to clients: base64url of the next offset. */
export function encodeMarker(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

/** Decodes a marker, or throws Box's error for an invalid one. */
export function decodeMarker(marker: string): number {
  const m = /^o:(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!m) throw boxErrors.invalidParameter('marker', `Invalid value '${marker}' for marker`);
  return Number(m[1]);
}

/** One page of a list, in Box's marker or offset form. */
export function page<T>(
  ctx: ApiContext,
  query: Query,
  all: readonly T[],
  fallbackLimit: number,
  maxLimit: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const limit = parseLimit(ctx, query, fallbackLimit, maxLimit);
  const useMarker = queryValue(query, 'usemarker') === 'true';
  const marker = queryValue(query, 'marker');
  if (useMarker || marker !== undefined) {
    const start = marker ? decodeMarker(marker) : 0;
    const entries = all.slice(start, start + limit);
    const next = start + limit < all.length ? encodeMarker(start + limit) : null;
    return {
      limit,
      next_marker: next,
      ...(start > 0 ? { prev_marker: encodeMarker(Math.max(0, start - limit)) } : {}),
      entries,
    };
  }
  const offset = parseOffset(query);
  return { total_count: all.length, limit, offset, ...extra, entries: all.slice(offset, offset + limit) };
}
