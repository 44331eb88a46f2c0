/** Options of startBoxSim and their defaults. */
import type { FaultSettings } from './realism';
import { BOX_RETRY_DELAYS_MS } from './webhooks';

/** How to start a simulator. */
export interface BoxSimOptions {
  /** Seed of the generated enterprise (default 1). The same seed and sizes give the same enterprise. */
  seed?: number;
  /** Enterprise users, the admin and co-admins included (default 20); a personal account is added. */
  users?: number;
  /** Files generated (default 2,000). */
  files?: number;
  /** Admin events generated over the ten days before `now` (default max(2,000, 2 x files)). */
  events?: number;
  /** Room for files created by uploads and copies (default 4,096). */
  spareFiles?: number;
  /**
   * Share of the generated files put directly in their owner's root folder (`0`), 0 to 1 (default 0:
   * none, the pinned enterprise of each seed). Uploads, moves and copies to folder `0` work whatever it is.
   */
  rootFiles?: number;
  /** TCP port on 127.0.0.1 (0 = a free port; default 0). */
  port?: number;
  /** OAuth client credentials the token endpoint accepts (defaults box-sim-client-id / box-sim-client-secret). */
  clientId?: string;
  clientSecret?: string;
  /** Webhook signature keys (defaults box-sim-primary-key / box-sim-secondary-key; '' to omit one). */
  webhookPrimaryKey?: string;
  webhookSecondaryKey?: string;
  /** Delays before webhook retries (default Box's: 30 s doubling, about two hours; [] = no retries). */
  webhookRetryDelaysMs?: number[];
  /** A delivery without a 2xx answer in this time failed (default 30,000 ms). */
  webhookTimeoutMs?: number;
  /** Requests per minute per user (default 1,000; 0 = unlimited). */
  rateLimitPerMinute?: number;
  /** Bucket size of the rate limit (default: rateLimitPerMinute). */
  rateLimitBurst?: number;
  /** Added latency on every API request (default 0). */
  latencyMs?: number;
  /** Fault injection (default none). */
  faults?: FaultSettings;
  /** Access token lifetime (default 60 min); shorten it to test the 401 -> refresh path. */
  accessTokenLifetimeMs?: number;
  /** Refresh token lifetime (default 60 days). */
  refreshTokenLifetimeMs?: number;
  /** Authorization code lifetime (default 30 s). */
  authorizationCodeLifetimeMs?: number;
  /** Reject unsupported query parameters, fields and body fields (default true). */
  strict?: boolean;
  /**
   * Downloads through the API are user actions, as in Box: each fetched download URL logs a DOWNLOAD
   * admin event and fires FILE.DOWNLOADED webhooks (default false: scans leave no trace).
   */
  apiDownloadsAreUserActions?: boolean;
  /** Clock, epoch milliseconds (default Date.now). */
  now?: () => number;
  /**
   * Level of box-sim's log (Fastify's pino logger, one JSON line per request with its `request_id`):
   * `info` logs every request, `warn` every error answer, `error` only box-sim's own failures (default:
   * BOX_SIM_LOG_LEVEL, else `error`).
   */
  logLevel?: LogLevel;
  /** Where log lines go (default standard output). */
  logDestination?: { write(line: string): void };
  /**
   * Who this box-sim is, as `GET /_sim/health` says it (default: empty): a launcher that started it gives
   * it an id, so it can tell its own box-sim from another program answering on the port.
   */
  instance?: string;
}

/** Levels of box-sim's log, quietest last. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** One log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Parses a log level (undefined or empty: the fallback); throws naming the levels otherwise. */
export function parseLogLevel(value: string | undefined, fallback: LogLevel): LogLevel {
  if (value === undefined || value === '') return fallback;
  if (!(LOG_LEVELS as readonly string[]).includes(value))
    throw new Error(`box-sim: log level '${value}' is not one of ${LOG_LEVELS.join(', ')}`);
  return value as LogLevel;
}

/** The options with defaults applied. */
export type ResolvedOptions = Required<
  Omit<BoxSimOptions, 'rateLimitBurst' | 'faults' | 'logDestination'>
> & {
  rateLimitBurst: number;
  faults: FaultSettings;
  logDestination: BoxSimOptions['logDestination'];
};

/** Default app credentials. */
export const DEFAULT_CLIENT_ID = 'box-sim-client-id';
/** Default app secret. */
export const DEFAULT_CLIENT_SECRET = 'box-sim-client-secret';

/** Applies the defaults. */
export function resolveOptions(options: BoxSimOptions): ResolvedOptions {
  const files = options.files ?? 2000;
  const perMinute = options.rateLimitPerMinute ?? 1000;
  return {
    seed: options.seed ?? 1,
    users: options.users ?? 20,
    files,
    events: options.events ?? Math.max(2000, files * 2),
    spareFiles: options.spareFiles ?? 4096,
    rootFiles: options.rootFiles ?? 0,
    port: options.port ?? 0,
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    webhookPrimaryKey: options.webhookPrimaryKey ?? 'box-sim-primary-key',
    webhookSecondaryKey: options.webhookSecondaryKey ?? 'box-sim-secondary-key',
    webhookRetryDelaysMs: options.webhookRetryDelaysMs ?? [...BOX_RETRY_DELAYS_MS],
    webhookTimeoutMs: options.webhookTimeoutMs ?? 30_000,
    rateLimitPerMinute: perMinute,
    rateLimitBurst: options.rateLimitBurst ?? perMinute,
    latencyMs: options.latencyMs ?? 0,
    faults: options.faults ?? {},
    accessTokenLifetimeMs: options.accessTokenLifetimeMs ?? 60 * 60_000,
    refreshTokenLifetimeMs: options.refreshTokenLifetimeMs ?? 60 * 86_400_000,
    authorizationCodeLifetimeMs: options.authorizationCodeLifetimeMs ?? 30_000,
    strict: options.strict ?? true,
    apiDownloadsAreUserActions: options.apiDownloadsAreUserActions ?? false,
    now: options.now ?? Date.now,
    logLevel: options.logLevel ?? parseLogLevel(process.env.BOX_SIM_LOG_LEVEL, 'error'),
    logDestination: options.logDestination,
    instance: options.instance ?? '',
  };
}
