/**
 * The product's structured logger: pino, one JSON object a line, the same fields and the same redaction
 * in every process (API, worker and its SDK Runtime, the reaper; box-sim writes the same format from its
 * own copy). Every line carries `time` (ISO 8601, UTC), `level` (a name: debug, info, warn, error),
 * `component`, `pid` and `msg`. Secrets never reach a line: see redact.ts. The API's Fastify logger is
 * built from the same options (api/request-log.ts). Fields and reading: docs/operators.md, "Logs".
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { prettyStdout } from './pretty';
import { CENSOR, SECRET_FIELDS, isSecretField, redactText, redactValue } from './redact';

export { SECRET_FIELDS };

/** The settings' log formats: JSON lines (the default, what the log files hold) or pino-pretty's text. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
/** One of LOG_FORMATS. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * LOG_FORMAT from the environment. A value that is neither json nor pretty means json here: the
 * process's configuration (config/schema.ts) refuses it with a clear message, written as JSON.
 */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env): LogFormat {
  return env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json';
}

const PINO_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/**
 * LOG_LEVEL, else info — except inside jest (NODE_ENV=test), where unset means silent. An unknown level
 * means info here (pino would throw before the configuration could say what is wrong).
 */
export function defaultLogLevel(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOG_LEVEL === undefined) return env.NODE_ENV === 'test' ? 'silent' : 'info';
  return PINO_LEVELS.has(env.LOG_LEVEL) ? env.LOG_LEVEL : 'info';
}

/** Serializes an error: pino's standard fields, then every part searched for secrets. */
function errorSerializer(err: unknown): unknown {
  return redactValue(err instanceof Error ? pino.stdSerializers.err(err) : err);
}

/**
 * The pino options every process shares: base fields, ISO time, level names, and redaction — fields
 * named like a secret at any depth (before the line is built; fields with a serializer of their own are
 * left to it) and secrets inside the finished line's text.
 */
export function loggerOptions(component: string, level: string): LoggerOptions {
  return {
    level,
    base: { component, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(object))
          out[k] = k === 'req' || k === 'res' ? v : isSecretField(k, v) ? CENSOR : redactValue(v);
        return out;
      },
    },
    serializers: { err: errorSerializer, error: errorSerializer },
    hooks: {
      // The finished line, with the message and a child logger's bindings (pino formats those once, as
      // they are): a token quoted in an error's text, or bound to a child, is caught here.
      streamWrite: (line) => redactText(line),
    },
  };
}

/**
 * A logger for one component (`worker`, `box`, ...), at `level` (default: LOG_LEVEL, see defaultLogLevel),
 * writing to `destination`, else to stdout as LOG_FORMAT says (JSON lines unless `pretty`).
 */
export function createLogger(
  component: string,
  destination?: DestinationStream,
  level: string = defaultLogLevel(),
): Logger {
  const options = loggerOptions(component, level);
  if (destination) return pino(options, destination);
  return logFormatFromEnv() === 'pretty' ? pino(options, prettyStdout()) : pino(options);
}
