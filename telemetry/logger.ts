/**
 * The product's structured logger (pino, one JSON object a line) for processes other than the API, whose
 * Fastify logger has its own request redaction (api/request-log.ts). Secrets never reach a line: the
 * fields that could carry one are censored wherever they appear, one level deep.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

/** Field names whose values are never written, at the top level or inside one object. */
export const SECRET_FIELDS = [
  'authorization',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'code',
  'password',
  'token',
];

/**
 * A logger for one component (`worker`, `box`, ...), at `level`, else LOG_LEVEL, else info — except inside
 * jest (NODE_ENV=test), where an unset LOG_LEVEL means silent so that injected faults do not flood the
 * test output.
 */
export function createLogger(
  component: string,
  destination?: DestinationStream,
  level: string = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
): Logger {
  const options = {
    level,
    base: { component },
    redact: {
      paths: SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]),
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
