import { z } from 'zod';
import { DATA_CENTERS } from '../domain/data-centers';
import { ROLES, type Role } from '../domain/roles';
import { parseDuration } from './duration';
import { TASK_QUEUES } from './task-queues';

const port = z.coerce.number().int().min(1).max(65535);
/** A port where 0 means any free one. */
const portOrAny = z.coerce.number().int().min(0).max(65535);
const url = z.url({ protocol: /^https?$/ });
const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: "a duration such as '30s', '15m', '12h' or '7d'" });
    return z.NEVER;
  }
  return ms;
});
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const hexKey = z.string().regex(/^[0-9a-fA-F]{64}$/, '64 hex characters (a 256-bit key)');
const role = z.enum(ROLES, { message: `one of ${ROLES.join(', ')}` });
/** `value=role,...`: which connect-box role each value of the identity provider's role claim gives. */
const roleMap = z.string().transform((text, ctx) => {
  const map: Record<string, Role> = {};
  for (const pair of text.split(',')) {
    const at = pair.lastIndexOf('=');
    const value = pair.slice(0, at).trim();
    const mapped = ROLES.find((r) => r === pair.slice(at + 1).trim());
    if (at <= 0 || !value || !mapped) {
      ctx.addIssue({
        code: 'custom',
        message: `comma-separated claim-value=role pairs such as 'cb-admins=admin,cb-analysts=analyst' (roles: ${ROLES.join(', ')})`,
      });
      return z.NEVER;
    }
    map[value] = mapped;
  }
  return map;
});

/** One documented setting: its schema, its default (as the environment would spell it) and its meaning. */
interface Setting {
  schema: z.ZodType;
  default?: string;
  description: string;
}

const setting = (schema: z.ZodType, defaultValue: string | undefined, description: string): Setting => ({
  schema,
  default: defaultValue,
  description,
});

const dataCentreSettings = Object.fromEntries(
  DATA_CENTERS.flatMap((dc) => [
    [
      `BOX_${dc}_CLIENT_ID`,
      setting(
        z.string().min(1).optional(),
        dc === 'US1' ? 'box-sim-client-id' : undefined,
        `Client id of the Box app for data centre ${dc} (unset: ${dc} cannot be chosen)`,
      ),
    ],
    [
      `BOX_${dc}_CLIENT_SECRET`,
      setting(
        z.string().min(1).optional(),
        dc === 'US1' ? 'box-sim-client-secret' : undefined,
        `Client secret of the Box app for data centre ${dc}`,
      ),
    ],
  ]),
) as Record<string, Setting>;

/** Every environment setting, in the order the README documents them. */
export const SETTINGS = {
  TEMPORAL_ADDRESS: setting(
    z.string().regex(/^[^:\s]+:\d+$/, 'host:port'),
    '127.0.0.1:7233',
    'Temporal frontend (host:port); unset: 127.0.0.1:TEMPORAL_PORT',
  ),
  TEMPORAL_NAMESPACE: setting(z.string().min(1), 'default', 'Temporal namespace'),
  TEMPORAL_TLS: setting(
    bool,
    'false',
    'Connect to Temporal over TLS (true for Temporal Cloud or a TLS cluster)',
  ),
  TEMPORAL_TLS_CERT_PATH: setting(
    z.string().min(1).optional(),
    undefined,
    'Client certificate (PEM) for mTLS',
  ),
  TEMPORAL_TLS_KEY_PATH: setting(
    z.string().min(1).optional(),
    undefined,
    'Client private key (PEM) for mTLS',
  ),
  TEMPORAL_API_KEY: setting(
    z.string().min(1).optional(),
    undefined,
    'API key for Temporal Cloud (implies TLS)',
  ),
  TEMPORAL_TASK_QUEUE: setting(
    z.string().min(1),
    TASK_QUEUES.main,
    'Task queue of the workflows and control activities',
  ),
  TEMPORAL_SCAN_TASK_QUEUE: setting(
    z.string().min(1),
    TASK_QUEUES.scan,
    'Task queue of bulk scan activities',
  ),
  TEMPORAL_PRIORITY_TASK_QUEUE: setting(
    z.string().min(1),
    TASK_QUEUES.priority,
    'Task queue of priority rescans',
  ),
  TEMPORAL_PORT: setting(
    port,
    '7233',
    'Port of the embedded dev server (npm start); TEMPORAL_ADDRESS follows it unless set',
  ),
  TEMPORAL_UI_PORT: setting(port, '8233', 'Port of the embedded Temporal Web UI (npm start)'),
  TEMPORAL_PAYLOAD_KEYS: setting(
    z
      .string()
      .refine(
        (text) =>
          text
            .split(',')
            .every(
              (k) => Buffer.from(k.trim(), 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(k.trim()),
            ),
        'comma-separated base64 32-byte keys (openssl rand -base64 32)',
      )
      .optional(),
    undefined,
    'AES-256-GCM keys of the Temporal payload codec, base64, comma-separated: the first encrypts, every one decrypts (rotation); unset: derived from the encryption key (ENCRYPTION_KEY or DATA_DIR/encryption.key, then ENCRYPTION_KEYS), so every process sharing it agrees. See docs/operators.md',
  ),
  DATA_DIR: setting(
    z.string().min(1),
    'data',
    "Local state: the SQLite store and encryption key (unless set), npm start's lock, logs, Temporal database",
  ),
  DATABASE_URL: setting(
    z
      .string()
      .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, "'sqlite:<file>' or 'postgres://user@host:port/db'"),
    'sqlite:data/connect-box.sqlite',
    'Product store: a SQLite file (default: connect-box.sqlite in DATA_DIR) or PostgreSQL',
  ),
  API_HOST: setting(z.string().min(1), '127.0.0.1', 'Interface the API listens on'),
  API_PORT: setting(port, '3000', 'Port of the API (connectors, OAuth callback, webhooks)'),
  PUBLIC_BASE_URL: setting(
    url,
    'http://127.0.0.1:3000',
    'How Box and browsers reach the API (OAuth redirect, webhook address); unset: http://127.0.0.1:API_PORT',
  ),
  CODEC_CORS_ORIGINS: setting(
    z
      .string()
      .regex(
        /^https?:\/\/[^/,\s]+(,https?:\/\/[^/,\s]+)*$/,
        "comma-separated origins such as 'https://temporal-ui.example.com'",
      ),
    'http://127.0.0.1:8233,http://localhost:8233',
    'Browser origins (the Temporal Web UI) allowed to call the codec endpoint /codec (CORS); unset: the embedded Web UI, http://127.0.0.1:TEMPORAL_UI_PORT and http://localhost:TEMPORAL_UI_PORT',
  ),
  API_TOKEN: setting(
    z.string().min(16, 'at least 16 characters'),
    'connect-box-dev-token-change-me',
    'Bearer token required by /api/* (change it outside a laptop)',
  ),
  API_TOKEN_DISABLED: setting(
    bool,
    'false',
    'true: the bootstrap API_TOKEN is refused (401); only personal API tokens open /api/* (console sessions open /console only)',
  ),
  ADMIN_LOGIN: setting(
    z.string().regex(/^[A-Za-z0-9._@+-]{1,128}$/, 'a login: letters, digits and . _ @ + -'),
    'admin',
    'Login of the admin account npm start creates on first run (when the store has no account)',
  ),
  ADMIN_PASSWORD: setting(
    z.string().min(12, 'at least 12 characters').max(256, 'at most 256 characters').optional(),
    undefined,
    'Password of that first admin account; unset: a random one is printed once in the terminal',
  ),
  API_RATE_LIMIT: setting(
    z.coerce.number().int().min(1),
    '1200',
    'Requests per minute one client may make to /api/* (then 429 with retry-after)',
  ),
  OAUTH_CALLBACK_RATE_LIMIT: setting(
    z.coerce.number().int().min(1),
    '30',
    'OAuth callback requests per minute per client',
  ),
  WEBHOOK_RATE_LIMIT: setting(
    z.coerce.number().int().min(1),
    '30000',
    'Box webhook deliveries per minute per sending address (Box bursts reach 20,000 a minute)',
  ),
  WEBHOOK_OUTBOX_SWEEP_MS: setting(
    z.coerce.number().int().min(100),
    '2000',
    'How often each API process signals webhook deliveries left pending (at start, then every this many ms)',
  ),
  WEBHOOK_OUTBOX_LEASE_MS: setting(
    z.coerce.number().int().min(500),
    '5000',
    'How long a recorded webhook delivery belongs to the process signalling it before the sweeper may take it',
  ),
  WEBHOOK_SIGNAL_INTERVAL_MS: setting(
    z.coerce.number().int().min(0),
    '1000',
    'Paced fileActivity signals: a connector quiet this long is signalled at once, else at most once per this many ms with every delivery waiting (answers wait for it), or, while the connector had fewer than 3 signals in the last second, 100 ms after the last one when a file with no delivery in the last minute waits; 0: one signal per 25 ms batch',
  ),
  SESSION_LIFETIME: setting(
    duration,
    '8h',
    'Console sign-in: a session ends this long after sign-in, however active (absolute expiry)',
  ),
  SESSION_IDLE_TIMEOUT: setting(
    duration,
    '30m',
    'Console sign-in: a session unused this long ends (idle expiry)',
  ),
  SIGN_IN_RATE_LIMIT: setting(
    z.coerce.number().int().min(1),
    '20',
    'Sign-in attempts (password form and OIDC) per minute per client address (then 429)',
  ),
  SIGN_IN_LOCK_AFTER: setting(
    z.coerce.number().int().min(1),
    '5',
    'Failed password sign-ins of one account in a row (since its last sign-in or lockout) that lock it',
  ),
  SIGN_IN_LOCK_DURATION: setting(
    duration,
    '15m',
    'How long a locked account refuses every password sign-in, the right password included',
  ),
  OIDC_ISSUER_URL: setting(
    url.optional(),
    undefined,
    'OpenID Connect single sign-on: the identity provider (issuer) URL; https unless loopback. Set with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET to turn it on',
  ),
  OIDC_CLIENT_ID: setting(
    z.string().min(1).optional(),
    undefined,
    'OIDC client id of connect-box at the provider',
  ),
  OIDC_CLIENT_SECRET: setting(
    z.string().min(1).optional(),
    undefined,
    'OIDC client secret (client_secret_basic); the redirect URI to register is PUBLIC_BASE_URL/console/oidc/callback',
  ),
  OIDC_SCOPES: setting(
    z
      .string()
      .regex(/^openid( [\x21\x23-\x5b\x5d-\x7e]+)*$/, "space-separated scopes starting with 'openid'"),
    'openid profile email',
    'Scopes connect-box asks the identity provider for',
  ),
  OIDC_ROLE_CLAIM: setting(
    z.string().min(1),
    'connect_box_role',
    'The ID token or userinfo claim (a string or a list of strings) that gives the connect-box role',
  ),
  OIDC_ROLE_MAP: setting(
    roleMap,
    'admin=admin,analyst=analyst,viewer=viewer',
    'claim-value=role pairs, comma-separated; with several values the highest role wins',
  ),
  OIDC_DEFAULT_ROLE: setting(
    role.optional(),
    undefined,
    'Role of a user whose claim is absent or maps to no role; unset: such a user is refused',
  ),
  ENCRYPTION_KEY: setting(
    hexKey.optional(),
    undefined,
    'AES-256-GCM key for tokens at rest (64 hex chars); unset: a key is created in DATA_DIR/encryption.key (loopback PUBLIC_BASE_URL only)',
  ),
  ENCRYPTION_KEYS: setting(
    z
      .string()
      .regex(/^[0-9a-fA-F]{64}(,[0-9a-fA-F]{64})*$/, 'comma-separated 64-hex-character keys')
      .optional(),
    undefined,
    'Earlier encryption keys, comma-separated: tokens sealed with them still open (rotation; see docs/security.md)',
  ),
  BOX_API_BASE_URL: setting(
    url,
    'http://127.0.0.1:8600',
    'Box API base (https://api.box.com for real Box; default: box-sim)',
  ),
  BOX_UPLOAD_BASE_URL: setting(
    url,
    'http://127.0.0.1:8600/upload',
    'Box upload API base (https://upload.box.com/api)',
  ),
  BOX_AUTHORIZE_URL: setting(
    url,
    'http://127.0.0.1:8600/api/oauth2/authorize',
    'Box OAuth consent page (https://account.box.com/api/oauth2/authorize)',
  ),
  ...dataCentreSettings,
  BOX_WEBHOOK_PRIMARY_KEY: setting(z.string().min(1), 'box-sim-primary-key', 'Webhook signature primary key'),
  BOX_WEBHOOK_SECONDARY_KEY: setting(
    z.string().min(1).optional(),
    'box-sim-secondary-key',
    'Webhook signature secondary key',
  ),
  BOX_USER_CALLS_PER_MINUTE: setting(
    z.coerce.number().int().min(0).max(1_000_000),
    '950',
    "Box API calls per minute per user (Box allows about 1,000): each user's calls are paced to it after a burst of 50, so no minute exceeds 1,000 and the scan draws no 429; 0: no pacing",
  ),
  BOX_SIM_PORT: setting(
    port,
    '8600',
    'Port of box-sim in the embedded stack; the three BOX_*_URL settings above follow it unless set',
  ),
  AUTHORIZATION_TIMEOUT: setting(
    duration,
    '15m',
    'How long a new connector waits for OAuth before AuthorizationExpired',
  ),
  BACKFILL_WINDOW: setting(duration, '7d', 'Activity imported from before the connection'),
  RESCAN_INTERVAL: setting(duration, '12h', 'Time between full scan passes'),
  EVENT_STREAM_POLL_INTERVAL: setting(
    duration,
    '5s',
    "Wait between reads of Box's enterprise event stream once it is caught up (admin_logs_streaming)",
  ),
  POLICY_FILE: setting(
    z.string().min(1).optional(),
    undefined,
    'Policy file (JSON or YAML, see policies/README.md); unset: the built-in templates',
  ),
  INTERNAL_DOMAINS: setting(
    z
      .string()
      .regex(
        /^([a-z0-9.-]+\.[a-z]{2,})(,[a-z0-9.-]+\.[a-z]{2,})*$/i,
        'comma-separated domains such as acme.com,acme.de',
      )
      .optional(),
    undefined,
    "The enterprise's own e-mail domains (collaborators elsewhere are external); unset: the domains of its users' logins",
  ),
  SCAN_USER_CONCURRENCY: setting(
    z.coerce.number().int().min(1).max(64),
    '4',
    'Users walked at once per connector (Box rate limits are per user)',
  ),
  SCAN_MAX_CONCURRENT_ACTIVITIES: setting(
    z.coerce.number().int().min(1).max(512),
    '8',
    'Bulk scan activities one worker runs at once',
  ),
  SCAN_ACTIVITIES_PER_SECOND: setting(
    z.coerce.number().min(0),
    '0',
    'Cap on bulk scan activities started per second on the whole task queue (0: none)',
  ),
  PRIORITY_MAX_CONCURRENT_ACTIVITIES: setting(
    z.coerce.number().int().min(1).max(512),
    '4',
    'Worker slots reserved for priority rescans',
  ),
  WORKER_TASK_QUEUES: setting(
    z
      .string()
      .regex(
        /^(main|scan|priority)(,(main|scan|priority))*$/,
        "a comma-separated list of 'main', 'scan' and 'priority'",
      ),
    'main,scan,priority',
    'Task queues this worker process polls: main (workflows, connect and backfill steps), scan (the walk), priority (rescans of edited files); run processes with different lists to keep the walk off the process that runs the workflows',
  ),
  WORKFLOW_BUNDLE: setting(
    z.string().min(1).optional(),
    undefined,
    'Prebuilt workflow bundle the worker loads (`npm run build:workflows` writes .build/workflow-bundle.js); unset: the worker bundles workflows/ at start (seconds of CPU and about 100 MB more memory). Build it from the same checkout as the worker',
  ),
  INSPECTION_THREAD_NICE: setting(
    z.coerce.number().int().min(0).max(19),
    '10',
    "CPU priority (Linux nice value) of the worker's inspection threads: under load the inspection yields the cores to workflow tasks, rescans of edited files and heartbeats; 0: the same as the rest of the process",
  ),
  WORKER_METRICS_HOST: setting(
    z.string().min(1),
    '127.0.0.1',
    "Interface the worker's Prometheus /metrics server listens on (0.0.0.0: every interface)",
  ),
  WORKER_METRICS_PORT: setting(
    portOrAny,
    '9464',
    "Port of the worker's Prometheus /metrics (product series and the Temporal SDK's); 0: any free port, logged at start",
  ),
  WORKER_SDK_METRICS_PORT: setting(
    portOrAny,
    '0',
    "Loopback port of the Temporal SDK's own Prometheus exporter, whose text the worker's /metrics includes; 0: any free port",
  ),
  SMTP_HOST: setting(
    z.string().min(1).optional(),
    undefined,
    'SMTP server for governance e-mail (notify-owner); unset: no e-mail (npm start runs a local SMTP sink and sets it)',
  ),
  SMTP_PORT: setting(port, '587', 'SMTP server port'),
  SMTP_SECURE: setting(
    bool,
    'false',
    'SMTP over TLS from the first byte (port 465); false: STARTTLS when offered',
  ),
  SMTP_USER: setting(z.string().min(1).optional(), undefined, 'SMTP user name (unset: no authentication)'),
  SMTP_PASSWORD: setting(z.string().min(1).optional(), undefined, 'SMTP password'),
  MAIL_FROM: setting(
    z.string().min(3),
    'connect-box <connect-box@localhost>',
    'Sender of governance e-mail (address, or "Name <address>")',
  ),
  LOG_LEVEL: setting(
    z.enum(['debug', 'info', 'warn', 'error']),
    'info',
    'Log level of worker, API and box-sim (under npm start); the Temporal core logs its INFO at debug, else its WARN',
  ),
  LOG_FORMAT: setting(
    z.enum(['json', 'pretty']),
    'json',
    'Logs on stdout: json (one object a line, what log files hold) or pretty (text for a terminal, pino-pretty)',
  ),
} satisfies Record<string, Setting>;

/** Name of one environment setting. */
export type SettingName = keyof typeof SETTINGS;
