import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/** Query parameters whose value is never logged: anything that carries a code, a token or a secret. */
const SECRET_PARAM = /code|state|token|secret|signature|password|key|session|auth/i;
/**
 * Paths whose whole query string is dropped from logs: Box's OAuth callback and the console's OIDC callback
 * carry `code` and `state`.
 */
const QUERY_NEVER_LOGGED = ['/oauth/', '/oidc/'];
/** Longest request target written to a log line. */
const MAX_LOGGED_URL = 300;

/**
 * The request target as it may be logged: the OAuth callback's query string dropped, the value of every
 * parameter named like a code, state, token, secret, signature or key replaced, and the whole cut short.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  let shown = path;
  if (q !== -1) {
    if (QUERY_NEVER_LOGGED.some((p) => path.includes(p))) shown = `${path}?[redacted]`;
    else {
      const params = url
        .slice(q + 1)
        .split('&')
        .map((pair) => {
          const eq = pair.indexOf('=');
          const name = eq === -1 ? pair : pair.slice(0, eq);
          let decoded = name;
          try {
            decoded = decodeURIComponent(name);
          } catch {
            // a malformed name is logged as sent; its value is redacted below only if it looks secret
          }
          return eq !== -1 && SECRET_PARAM.test(decoded) ? `${name}=[redacted]` : pair;
        });
      shown = `${path}?${params.join('&')}`;
    }
  }
  return shown.length > MAX_LOGGED_URL ? `${shown.slice(0, MAX_LOGGED_URL)}...[cut]` : shown;
}

/** Headers that carry secrets: never logged, whatever serializer logs them. */
export const REDACTED_HEADERS = [
  'authorization',
  'cookie',
  'box-signature-primary',
  'box-signature-secondary',
  'x-api-key',
];

/** The API's logger options: requests logged without secrets (see docs/security.md). */
export function apiLoggerOptions(
  level: string,
  stream?: NodeJS.WritableStream,
): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    ...(stream && { stream }),
    redact: {
      paths: REDACTED_HEADERS.map((h) => `req.headers["${h}"]`),
      censor: '[redacted]',
    },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.ip,
      }),
    },
  };
}
