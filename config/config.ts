import { join } from 'node:path';
import { DATA_CENTERS, type DataCenter } from '../domain/data-centers';
import type { Role } from '../domain/roles';
import { SETTINGS, type SettingName } from './schema';

/** The Box app used for one data centre. */
export interface BoxApp {
  clientId: string;
  clientSecret: string;
}

/** Every setting of connect-box, parsed and typed. */
export interface Config {
  temporal: {
    address: string;
    namespace: string;
    tls: boolean;
    tlsCertPath?: string;
    tlsKeyPath?: string;
    apiKey?: string;
    taskQueues: { main: string; scan: string; priority: string };
    devServerPort: number;
    uiPort: number;
    /** TEMPORAL_PAYLOAD_KEYS (base64, the encrypting key first); unset: derived from the encryption key. */
    payloadKeysBase64?: string[];
  };
  /** Folder of local state (relative to the working directory unless absolute). */
  dataDir: string;
  databaseUrl: string;
  api: {
    host: string;
    port: number;
    publicBaseUrl: string;
    token: string;
    /** Origins (the Temporal Web UI) whose browsers may call /codec. */
    codecCorsOrigins: string[];
    /** The bootstrap API_TOKEN is refused (personal tokens only). */
    tokenDisabled: boolean;
    rateLimitPerMinute: number;
    callbackRateLimitPerMinute: number;
    webhookRateLimitPerMinute: number;
    /** Sweep of pending webhook deliveries: at API start, then every this many ms. */
    webhookOutboxSweepMs: number;
    /** How long a pending delivery stays with the process that recorded (or claimed) it. */
    webhookOutboxLeaseMs: number;
    /** Above 0: each connector gets at most one fileActivity signal per this many ms (at once when quiet); 0: unpaced. */
    webhookSignalIntervalMs: number;
  };
  /** The console's sign-in (api/console/): sessions, lockout, optional OpenID Connect single sign-on. */
  console: {
    sessionLifetimeMs: number;
    sessionIdleMs: number;
    signInRateLimitPerMinute: number;
    lockAfterFailures: number;
    lockForMs: number;
    /** Set when OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET all are. */
    oidc?: OidcConfig;
  };
  /** The first admin account (created by npm start when the store has no account). */
  people: { adminLogin: string; adminPassword?: string };
  encryptionKeyHex?: string;
  /** Earlier keys, still tried when opening sealed values (rotation). */
  oldEncryptionKeysHex?: string[];
  box: {
    apiBaseUrl: string;
    uploadBaseUrl: string;
    authorizeUrl: string;
    apps: Partial<Record<DataCenter, BoxApp>>;
    webhookPrimaryKey: string;
    webhookSecondaryKey?: string;
    /** Calls per minute each Box user's requests are paced to (0: none); unset: no pacing. */
    userCallsPerMinute?: number;
  };
  boxSimPort: number;
  policies: { file?: string; internalDomains?: string[] };
  scan: {
    userConcurrency: number;
    maxConcurrentActivities: number;
    activitiesPerSecond: number;
    priorityMaxConcurrentActivities: number;
  };
  timing: {
    authorizationTimeoutMs: number;
    backfillWindowMs: number;
    rescanIntervalMs: number;
    eventStreamPollMs: number;
  };
  /** Outgoing e-mail (governance notifications); `host` unset: none configured. */
  smtp: { host?: string; port: number; secure: boolean; user?: string; password?: string; from: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The worker's metrics: its /metrics server, and the Temporal SDK exporter it includes (0: any free port). */
  workerMetrics: { host: string; port: number; sdkPort: number };
  /** The worker process: the task queues it polls, the CPU priority of its inspection threads. */
  worker: {
    taskQueues: Array<'main' | 'scan' | 'priority'>;
    inspectionThreadNice: number;
    /** A prebuilt workflow bundle to load instead of bundling workflows/ at start. */
    workflowBundle?: string;
  };
  /** How processes write their logs to stdout: JSON lines, or pino-pretty's text. */
  logFormat: 'json' | 'pretty';
}

/** OpenID Connect single sign-on for the console. */
export interface OidcConfig {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  roleClaim: string;
  /** Claim value -> role. */
  roleMap: Record<string, Role>;
  /** Role of a user whose claim gives none; undefined: such a user is refused. */
  defaultRole?: Role;
}

/** Thrown when one or more environment settings are invalid; names each variable and what it expects. */
export class ConfigError extends Error {
  readonly problems: ReadonlyArray<{ variable: string; expected: string; got: string }>;

  constructor(problems: ReadonlyArray<{ variable: string; expected: string; got: string }>) {
    const shown = problems.map((p) => ({ ...p, got: shownValue(p.variable, p.got) }));
    super(
      'Invalid configuration:\n' +
        shown.map((p) => `  ${p.variable}=${p.got}: expected ${p.expected}`).join('\n'),
    );
    this.problems = shown;
  }
}

/** Settings whose value is a secret: a bad one is described, never repeated (messages reach logs). */
const SECRET_SETTING = /(_SECRET|_TOKEN|_KEY|_KEYS|_PASSWORD)$/;

/**
 * A bad value as an error message shows it: quoted; a secret setting's as its length only; a URL's
 * password as `***`.
 */
function shownValue(variable: string, got: string): string {
  if (got === '') return '""';
  if (SECRET_SETTING.test(variable) && !variable.endsWith('_PATH'))
    return `(hidden: ${got.length} characters)`;
  return JSON.stringify(got.replace(/(\/\/[^/:@\s]*:)[^@/\s]*@/g, '$1***@'));
}

/**
 * Defaults that follow another setting, so that moving the embedded stack is one setting per port: the
 * data folder holds the SQLite store, TEMPORAL_PORT gives the address, TEMPORAL_UI_PORT the Web UI origins
 * the codec endpoint allows, API_PORT the public URL, and
 * BOX_SIM_PORT box-sim's URLs. Only settings left unset follow; whole numbers only (a bad port is reported
 * under its own name).
 */
function followingDefaults(env: NodeJS.ProcessEnv): Record<string, string> {
  const set = (name: string) => (env[name] === '' ? undefined : env[name]);
  const wholePort = (name: string) => (/^\d+$/.test(set(name) ?? '') ? set(name) : undefined);
  const out: Record<string, string> = {};
  if (set('DATA_DIR')) out.DATABASE_URL = `sqlite:${join(set('DATA_DIR')!, 'connect-box.sqlite')}`;
  const temporal = wholePort('TEMPORAL_PORT');
  if (temporal) out.TEMPORAL_ADDRESS = `127.0.0.1:${temporal}`;
  const ui = wholePort('TEMPORAL_UI_PORT');
  if (ui) out.CODEC_CORS_ORIGINS = `http://127.0.0.1:${ui},http://localhost:${ui}`;
  const api = wholePort('API_PORT');
  if (api) out.PUBLIC_BASE_URL = `http://127.0.0.1:${api}`;
  const sim = wholePort('BOX_SIM_PORT');
  if (sim) {
    out.BOX_API_BASE_URL = `http://127.0.0.1:${sim}`;
    out.BOX_UPLOAD_BASE_URL = `http://127.0.0.1:${sim}/upload`;
    out.BOX_AUTHORIZE_URL = `http://127.0.0.1:${sim}/api/oauth2/authorize`;
  }
  return out;
}

/** Parses the environment (defaults give the embedded setup); throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const values: Record<string, unknown> = {};
  const problems: Array<{ variable: string; expected: string; got: string }> = [];
  const following = followingDefaults(env);
  for (const [name, s] of Object.entries(SETTINGS)) {
    const raw = env[name] === '' ? undefined : env[name];
    const result = s.schema.safeParse(raw ?? following[name] ?? s.default);
    if (result.success) values[name] = result.data;
    else
      problems.push({
        variable: name,
        expected: result.error.issues.map((i) => i.message).join('; '),
        got: raw ?? '',
      });
  }
  const apps: Partial<Record<DataCenter, BoxApp>> = {};
  for (const dc of DATA_CENTERS) {
    const clientId = values[`BOX_${dc}_CLIENT_ID`] as string | undefined;
    const clientSecret = values[`BOX_${dc}_CLIENT_SECRET`] as string | undefined;
    if (clientId && clientSecret) apps[dc] = { clientId, clientSecret };
    else if (clientId || clientSecret) {
      const missing = clientId ? `BOX_${dc}_CLIENT_SECRET` : `BOX_${dc}_CLIENT_ID`;
      problems.push({
        variable: missing,
        expected: `set together with its pair for data centre ${dc}`,
        got: '',
      });
    }
  }
  const publicUrl = values.PUBLIC_BASE_URL as string | undefined;
  if (publicUrl && !values.ENCRYPTION_KEY && !isLoopbackUrl(publicUrl)) {
    // A key file beside the database protects nothing once the API is reachable from elsewhere.
    problems.push({
      variable: 'ENCRYPTION_KEY',
      expected: `a 64-hex-character key: it is required when PUBLIC_BASE_URL (${publicUrl}) is not a loopback address, so that tokens at rest are not sealed with a key file stored beside them`,
      got: '',
    });
  }
  const oidcSet = (['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const).filter(
    (name) => values[name] !== undefined,
  );
  if (oidcSet.length > 0 && oidcSet.length < 3)
    for (const name of ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'])
      if (values[name] === undefined)
        problems.push({
          variable: name,
          expected: `set together with ${oidcSet.join(' and ')} (single sign-on needs all three)`,
          got: '',
        });
  const issuer = values.OIDC_ISSUER_URL as string | undefined;
  if (issuer && new URL(issuer).protocol !== 'https:' && !isLoopbackUrl(issuer))
    problems.push({
      variable: 'OIDC_ISSUER_URL',
      expected: 'an https URL (plain http only for a provider on this machine: 127.0.0.0/8, ::1, localhost)',
      got: issuer,
    });
  if (problems.length > 0) throw new ConfigError(problems);

  const v = <T>(name: SettingName) => values[name] as T;
  return {
    temporal: {
      address: v('TEMPORAL_ADDRESS'),
      namespace: v('TEMPORAL_NAMESPACE'),
      tls: v<boolean>('TEMPORAL_TLS') || v('TEMPORAL_API_KEY') !== undefined,
      tlsCertPath: v('TEMPORAL_TLS_CERT_PATH'),
      tlsKeyPath: v('TEMPORAL_TLS_KEY_PATH'),
      apiKey: v('TEMPORAL_API_KEY'),
      taskQueues: {
        main: v('TEMPORAL_TASK_QUEUE'),
        scan: v('TEMPORAL_SCAN_TASK_QUEUE'),
        priority: v('TEMPORAL_PRIORITY_TASK_QUEUE'),
      },
      devServerPort: v('TEMPORAL_PORT'),
      uiPort: v('TEMPORAL_UI_PORT'),
      payloadKeysBase64: v<string | undefined>('TEMPORAL_PAYLOAD_KEYS')
        ?.split(',')
        .map((k) => k.trim()),
    },
    dataDir: v('DATA_DIR'),
    databaseUrl: v('DATABASE_URL'),
    api: {
      host: v('API_HOST'),
      port: v('API_PORT'),
      publicBaseUrl: v('PUBLIC_BASE_URL'),
      token: v('API_TOKEN'),
      codecCorsOrigins: v<string>('CODEC_CORS_ORIGINS').split(','),
      tokenDisabled: v('API_TOKEN_DISABLED'),
      rateLimitPerMinute: v('API_RATE_LIMIT'),
      callbackRateLimitPerMinute: v('OAUTH_CALLBACK_RATE_LIMIT'),
      webhookRateLimitPerMinute: v('WEBHOOK_RATE_LIMIT'),
      webhookOutboxSweepMs: v('WEBHOOK_OUTBOX_SWEEP_MS'),
      webhookOutboxLeaseMs: v('WEBHOOK_OUTBOX_LEASE_MS'),
      webhookSignalIntervalMs: v('WEBHOOK_SIGNAL_INTERVAL_MS'),
    },
    console: {
      sessionLifetimeMs: v('SESSION_LIFETIME'),
      sessionIdleMs: v('SESSION_IDLE_TIMEOUT'),
      signInRateLimitPerMinute: v('SIGN_IN_RATE_LIMIT'),
      lockAfterFailures: v('SIGN_IN_LOCK_AFTER'),
      lockForMs: v('SIGN_IN_LOCK_DURATION'),
      ...(issuer && {
        oidc: {
          issuerUrl: issuer,
          clientId: v('OIDC_CLIENT_ID'),
          clientSecret: v('OIDC_CLIENT_SECRET'),
          scopes: v('OIDC_SCOPES'),
          roleClaim: v('OIDC_ROLE_CLAIM'),
          roleMap: v('OIDC_ROLE_MAP'),
          defaultRole: v('OIDC_DEFAULT_ROLE'),
        },
      }),
    },
    people: { adminLogin: v<string>('ADMIN_LOGIN').toLowerCase(), adminPassword: v('ADMIN_PASSWORD') },
    encryptionKeyHex: v('ENCRYPTION_KEY'),
    oldEncryptionKeysHex: v<string | undefined>('ENCRYPTION_KEYS')?.split(','),
    box: {
      apiBaseUrl: v('BOX_API_BASE_URL'),
      uploadBaseUrl: v('BOX_UPLOAD_BASE_URL'),
      authorizeUrl: v('BOX_AUTHORIZE_URL'),
      apps,
      webhookPrimaryKey: v('BOX_WEBHOOK_PRIMARY_KEY'),
      webhookSecondaryKey: v('BOX_WEBHOOK_SECONDARY_KEY'),
      userCallsPerMinute: v('BOX_USER_CALLS_PER_MINUTE'),
    },
    boxSimPort: v('BOX_SIM_PORT'),
    policies: {
      file: v('POLICY_FILE'),
      internalDomains: v<string | undefined>('INTERNAL_DOMAINS')
        ?.split(',')
        .map((d) => d.trim().toLowerCase()),
    },
    scan: {
      userConcurrency: v('SCAN_USER_CONCURRENCY'),
      maxConcurrentActivities: v('SCAN_MAX_CONCURRENT_ACTIVITIES'),
      activitiesPerSecond: v('SCAN_ACTIVITIES_PER_SECOND'),
      priorityMaxConcurrentActivities: v('PRIORITY_MAX_CONCURRENT_ACTIVITIES'),
    },
    timing: {
      authorizationTimeoutMs: v('AUTHORIZATION_TIMEOUT'),
      backfillWindowMs: v('BACKFILL_WINDOW'),
      rescanIntervalMs: v('RESCAN_INTERVAL'),
      eventStreamPollMs: v('EVENT_STREAM_POLL_INTERVAL'),
    },
    smtp: {
      host: v('SMTP_HOST'),
      port: v('SMTP_PORT'),
      secure: v('SMTP_SECURE'),
      user: v('SMTP_USER'),
      password: v('SMTP_PASSWORD'),
      from: v('MAIL_FROM'),
    },
    logLevel: v('LOG_LEVEL'),
    workerMetrics: {
      host: v('WORKER_METRICS_HOST'),
      port: v('WORKER_METRICS_PORT'),
      sdkPort: v('WORKER_SDK_METRICS_PORT'),
    },
    logFormat: v('LOG_FORMAT'),
    worker: {
      taskQueues: [...new Set(v<string>('WORKER_TASK_QUEUES').split(','))] as Array<
        'main' | 'scan' | 'priority'
      >,
      inspectionThreadNice: v('INSPECTION_THREAD_NICE'),
      workflowBundle: v('WORKFLOW_BUNDLE'),
    },
  };
}

/** True when the URL's host is a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
  );
}
