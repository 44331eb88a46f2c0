import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { loggerOptions, type LogFormat } from '../telemetry/logger';
import { prettyStdout } from '../telemetry/pretty';

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

/**
 * The API's logger options: the product's (telemetry/logger.ts: component 'api', the same fields and the
 * same redaction of secrets at any depth), and requests logged as method, redacted URL and address only —
 * never their headers (see docs/security.md).
 */
export function apiLoggerOptions(
  level: string,
  stream?: NodeJS.WritableStream,
  format: LogFormat = 'json',
): NonNullable<FastifyServerOptions['logger']> {
  const options = loggerOptions('api', level);
  const out = stream ?? (format === 'pretty' ? prettyStdout() : undefined);
  return {
    ...options,
    ...(out && { stream: out }),
    serializers: {
      ...options.serializers,
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.ip,
      }),
    },
  };
}
