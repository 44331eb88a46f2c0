/** Everything one running simulator holds, built from the resolved options. */
import { UserActions } from './user-actions';
import { Enterprise } from './enterprise';
import { EventLog } from './event-log';
import { DownloadUrls } from './handlers/files';
import { TokenStore } from './oauth-tokens';
import type { ResolvedOptions } from './options';
import { FaultInjector, RateLimiter, StatsCollector } from './realism';
import { WebhookDeliverer, WebhookRegistry } from './webhooks';

/** The simulator's state and services. */
export interface SimState {
  readonly options: ResolvedOptions;
  readonly enterprise: Enterprise;
  readonly events: EventLog;
  readonly tokens: TokenStore;
  readonly webhooks: WebhookRegistry;
  readonly deliverer: WebhookDeliverer;
  readonly control: UserActions;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly stats: StatsCollector;
  readonly downloads: DownloadUrls;
  latencyMs: number;
  baseUrl: string;
}

/** Generates the enterprise and wires the services together. */
export function createState(options: ResolvedOptions): SimState {
  const now = options.now;
  const enterprise = new Enterprise({
    seed: options.seed,
    users: options.users,
    files: options.files,
    now: now(),
    spareFiles: options.spareFiles,
    rootFiles: options.rootFiles,
  });
  enterprise.clock = now;
  const events = new EventLog(enterprise, enterprise.seed, options.events, now());
  const webhooks = new WebhookRegistry();
  const deliverer = new WebhookDeliverer({
    ...(options.webhookPrimaryKey ? { primaryKey: options.webhookPrimaryKey } : {}),
    ...(options.webhookSecondaryKey ? { secondaryKey: options.webhookSecondaryKey } : {}),
    retryDelaysMs: options.webhookRetryDelaysMs,
    timeoutMs: options.webhookTimeoutMs,
    now,
  });
  const state: SimState = {
    options,
    enterprise,
    events,
    tokens: new TokenStore(now, {
      authorizationCodeMs: options.authorizationCodeLifetimeMs,
      accessTokenMs: options.accessTokenLifetimeMs,
      refreshTokenMs: options.refreshTokenLifetimeMs,
    }),
    webhooks,
    deliverer,
    control: new UserActions({
      enterprise,
      events,
      webhooks,
      deliverer,
      now,
      baseUrl: () => state.baseUrl,
    }),
    limiter: new RateLimiter(options.rateLimitPerMinute, options.rateLimitBurst, now),
    faults: new FaultInjector(options.faults, options.seed),
    stats: new StatsCollector(),
    downloads: new DownloadUrls(now),
    latencyMs: options.latencyMs,
    baseUrl: '',
  };
  return state;
}
