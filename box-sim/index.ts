/**
 * box-sim: a local simulator of the Box API subset connect-box uses, driven by the real box-node-sdk.
 * `startBoxSim(options)` generates a seeded enterprise and serves it on 127.0.0.1.
 */
import type { UserActions } from './user-actions';
import type { Enterprise } from './enterprise';
import { groundTruth, type GroundTruth } from './ground-truth';
import { resolveOptions, type BoxSimOptions } from './options';
import type { FaultSettings, SimStats } from './realism';
import { buildServer } from './server';
import { createState } from './state';
import type { DeliveryAttempt } from './webhooks';

export type { UserActions, UserActionResult, AsUser } from './user-actions';
export type { CollabRole, Role, ShareAccess } from './enterprise';
export type { EventTruth, FileTruth, GroundTruth, UserTruth } from './ground-truth';
export {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  LOG_LEVELS,
  type BoxSimOptions,
  type LogLevel,
} from './options';
export type { FaultSettings, SimStats } from './realism';
export { SENSITIVE_KINDS, type SensitiveKind } from './sensitive-data';
export { WEBHOOK_TRIGGERS, signWebhook, type DeliveryAttempt, type WebhookTrigger } from './webhooks';

/** Knobs and token tricks, callable directly (the same as the /_sim/ routes). */
export interface SimControl extends UserActions {
  /** Replaces the fault settings. */
  setFaults(settings: FaultSettings): void;
  /** Changes the per-user rate limit (0: unlimited). */
  setRateLimit(perMinute: number, burst?: number): void;
  /** Changes the added latency. */
  setLatency(ms: number): void;
  /** Expires one access token, or all; returns how many. */
  expireAccessTokens(accessToken?: string): number;
  /** Revokes an access or refresh token. */
  revokeToken(token: string): void;
  /** The admin removed the app: every token is rejected, refreshes fail with invalid_grant. */
  removeApp(): number;
}

/** A running simulator. */
export interface BoxSim {
  /** `http://127.0.0.1:<port>`: BaseUrls.baseUrl (API at /2.0, token at /oauth2/token). */
  readonly baseUrl: string;
  /** BaseUrls.uploadUrl: box-sim serves `POST ${uploadUrl}/2.0/files/content` (uploads). */
  readonly uploadUrl: string;
  /** BaseUrls.oauth2Url; the consent page is `${oauth2Url}/authorize`. */
  readonly oauth2Url: string;
  /** `${baseUrl}/oauth2/token`. */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookPrimaryKey: string;
  readonly webhookSecondaryKey: string;
  /** The consent page URL for an authorize request. */
  authorizeUrl(params: { redirectUri: string; state?: string; clientId?: string; scope?: string }): string;
  /** Ground truth over the live state. */
  readonly manifest: GroundTruth;
  /** User actions and knobs. */
  readonly control: SimControl;
  /** API call counters. */
  stats(): SimStats;
  /** Zeroes the counters. */
  resetStats(): void;
  /** Every webhook delivery attempt so far. */
  webhookDeliveries(): readonly DeliveryAttempt[];
  /** Resolves once no webhook delivery is in flight or scheduled (bounded wait). */
  webhooksIdle(maxWaitMs?: number): Promise<void>;
  /** The in-memory model (for advanced tests). */
  readonly enterprise: Enterprise;
  /** Milliseconds spent generating the enterprise. */
  readonly generationMs: number;
  /** Stops the server and cancels pending webhook retries. */
  close(): Promise<void>;
}

/** Generates the enterprise and starts serving it on 127.0.0.1. */
export async function startBoxSim(options: BoxSimOptions = {}): Promise<BoxSim> {
  const resolved = resolveOptions(options);
  const started = performance.now();
  const state = createState(resolved);
  const generationMs = performance.now() - started;
  const manifest = groundTruth(state.enterprise, state.events);
  let webhookBase = { total: 0, failed: 0 };
  const webhookCounts = () => {
    const log = state.deliverer.log();
    return { total: log.length, failed: log.filter((a) => a.status < 200 || a.status >= 300).length };
  };
  const stats = () => {
    const now = webhookCounts();
    return state.stats.snapshot({
      total: now.total - webhookBase.total,
      failed: now.failed - webhookBase.failed,
    });
  };
  const app = buildServer(state, manifest, stats);
  await app.listen({ host: '127.0.0.1', port: resolved.port });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('box-sim: the server has no TCP address');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  state.baseUrl = baseUrl;

  const control = state.control as SimControl;
  const extras: Omit<SimControl, keyof UserActions> = {
    setFaults: (settings) => state.faults.configure(settings),
    setRateLimit: (perMinute, burst) => state.limiter.configure(perMinute, burst),
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    expireAccessTokens: (token) => state.tokens.expireAccessTokens(token),
    revokeToken: (token) => state.tokens.revoke(token),
    removeApp: () => state.tokens.removeApp(),
  };
  Object.assign(control, extras);

  return {
    baseUrl,
    uploadUrl: `${baseUrl}/upload`,
    oauth2Url: `${baseUrl}/api/oauth2`,
    tokenUrl: `${baseUrl}/oauth2/token`,
    clientId: resolved.clientId,
    clientSecret: resolved.clientSecret,
    webhookPrimaryKey: resolved.webhookPrimaryKey,
    webhookSecondaryKey: resolved.webhookSecondaryKey,
    authorizeUrl: ({ redirectUri, state: st, clientId, scope }) => {
      const url = new URL(`${baseUrl}/api/oauth2/authorize`);
      url.searchParams.set('client_id', clientId ?? resolved.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('response_type', 'code');
      if (st !== undefined) url.searchParams.set('state', st);
      if (scope !== undefined) url.searchParams.set('scope', scope);
      return url.toString();
    },
    manifest,
    control,
    stats,
    resetStats: () => {
      state.stats.reset();
      webhookBase = webhookCounts();
    },
    webhookDeliveries: () => state.deliverer.log(),
    webhooksIdle: (maxWaitMs) => state.deliverer.idle(maxWaitMs),
    enterprise: state.enterprise,
    generationMs,
    close: async () => {
      await state.deliverer.close();
      await app.close();
    },
  };
}
